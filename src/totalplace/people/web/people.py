"""The people of a place: members and roles, invitations, reset links, the audit log."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from totalplace.core.web.pages import render
from totalplace.core.web.security import Viewer, check_csrf, in_place, store_of
from totalplace.people import service as people

router = APIRouter(include_in_schema=False)


def _page(
    request: Request,
    viewer: Viewer,
    place_id: str,
    status_code: int = 200,
    **extra: object,
) -> HTMLResponse:
    page = people.people_page(store_of(request), place_id)
    context = {
        "viewer": viewer,
        "place": {"place_id": place_id, "name": page.place_name},
        "page": page,
        "roles": people.ROLES,
        "errors": {},
        "form": {"role": people.LEAST_ROLE},
        **extra,
    }
    return render(request, "people.html", context, status_code=status_code)


def _refused(request: Request, viewer: Viewer, place_id: str, exc: people.PeopleError) -> Response:
    if isinstance(exc, people.NotFound):
        raise HTTPException(status_code=404, detail=str(exc))
    return _page(request, viewer, place_id, 400, errors={exc.field or "people": str(exc)})


def _link(request: Request, name: str, token: str) -> str:
    return str(request.url_for(name, token=token))


# What the page says after a change; the address carries only the key, so nobody can make
# the People page say something of their own with a crafted link.
DONE = {
    "revoked": "The invitation has been revoked: its link no longer works.",
    "role": "The role has been changed.",
    "removed": "The member has been removed from the place and signed out everywhere.",
    "unlocked": "The member can sign in again now.",
}


def _done(place_id: str, key: str) -> RedirectResponse:
    return RedirectResponse(f"/places/{place_id}/people?done={key}", status_code=303)


@router.get("/places/{place_id}/people")
def people_page(request: Request, place_id: str, done: str = "") -> HTMLResponse:
    viewer = in_place(request, place_id, "administer")
    return _page(request, viewer, place_id, done=DONE.get(done, ""))


@router.post("/places/{place_id}/people")
def invite(
    request: Request,
    place_id: str,
    email: Annotated[str, Form()] = "",
    role: Annotated[str, Form()] = "",
    agency_id: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    viewer = in_place(request, place_id, "administer")
    check_csrf(request, csrf)
    try:
        made = people.invite(
            store_of(request), place_id, email, role, agency_id or None, viewer.email
        )
    except people.PeopleError as exc:
        return _page(
            request,
            viewer,
            place_id,
            400,
            errors={exc.field or "email": str(exc)},
            form={"email": email, "role": role, "agency_id": agency_id},
        )
    link = _link(request, "invitation_page", made.token)
    return _page(
        request, viewer, place_id, invited={"email": made.email, "link": link, "role": made.role}
    )


@router.post("/places/{place_id}/people/invitations/{invitation_id}/resend")
def resend_invitation(
    request: Request, place_id: str, invitation_id: int, csrf: Annotated[str, Form()] = ""
) -> Response:
    viewer = in_place(request, place_id, "administer")
    check_csrf(request, csrf)
    try:
        made = people.resend(store_of(request), place_id, invitation_id, viewer.email)
    except people.PeopleError as exc:
        return _refused(request, viewer, place_id, exc)
    link = _link(request, "invitation_page", made.token)
    return _page(
        request,
        viewer,
        place_id,
        invited={"email": made.email, "link": link, "role": made.role, "again": True},
    )


@router.post("/places/{place_id}/people/invitations/{invitation_id}/revoke")
def revoke_invitation(
    request: Request, place_id: str, invitation_id: int, csrf: Annotated[str, Form()] = ""
) -> Response:
    viewer = in_place(request, place_id, "administer")
    check_csrf(request, csrf)
    try:
        people.revoke(store_of(request), place_id, invitation_id, viewer.email)
    except people.PeopleError as exc:
        return _refused(request, viewer, place_id, exc)
    return _done(place_id, "revoked")


@router.post("/places/{place_id}/people/{user_id}/role")
def change_role(
    request: Request,
    place_id: str,
    user_id: int,
    role: Annotated[str, Form()] = "",
    agency_id: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    viewer = in_place(request, place_id, "administer")
    check_csrf(request, csrf)
    try:
        people.change_role(
            store_of(request), place_id, user_id, role, agency_id or None, viewer.email
        )
    except people.PeopleError as exc:
        return _refused(request, viewer, place_id, exc)
    return _done(place_id, "role")


@router.get("/places/{place_id}/people/{user_id}/remove")
def confirm_removal(request: Request, place_id: str, user_id: int) -> HTMLResponse:
    viewer = in_place(request, place_id, "administer")
    try:
        found = people.member(store_of(request), place_id, user_id)
    except people.NotFound as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from None
    page = people.people_page(store_of(request), place_id)
    return render(
        request,
        "remove_member.html",
        {
            "viewer": viewer,
            "place": {"place_id": place_id, "name": page.place_name},
            "member": found,
        },
    )


@router.post("/places/{place_id}/people/{user_id}/remove")
def remove_member(
    request: Request, place_id: str, user_id: int, csrf: Annotated[str, Form()] = ""
) -> Response:
    viewer = in_place(request, place_id, "administer")
    check_csrf(request, csrf)
    try:
        people.remove_member(store_of(request), place_id, user_id, viewer.email)
    except people.PeopleError as exc:
        return _refused(request, viewer, place_id, exc)
    if user_id == viewer.id:
        return RedirectResponse("/places", status_code=303)
    return _done(place_id, "removed")


@router.post("/places/{place_id}/people/{user_id}/reset-link")
def make_reset_link(
    request: Request, place_id: str, user_id: int, csrf: Annotated[str, Form()] = ""
) -> Response:
    viewer = in_place(request, place_id, "administer")
    check_csrf(request, csrf)
    store = store_of(request)
    try:
        token = people.make_reset_link(store, place_id, user_id, viewer.email)
        found = people.member(store, place_id, user_id)
    except people.PeopleError as exc:
        return _refused(request, viewer, place_id, exc)
    return _page(
        request,
        viewer,
        place_id,
        reset={"email": found.email, "link": _link(request, "reset_page", token)},
    )


@router.post("/places/{place_id}/people/{user_id}/unlock")
def unlock(
    request: Request, place_id: str, user_id: int, csrf: Annotated[str, Form()] = ""
) -> Response:
    viewer = in_place(request, place_id, "administer")
    check_csrf(request, csrf)
    try:
        people.unlock(store_of(request), place_id, user_id, viewer.email)
    except people.PeopleError as exc:
        return _refused(request, viewer, place_id, exc)
    return _done(place_id, "unlocked")


@router.get("/places/{place_id}/audit")
def audit_page(request: Request, place_id: str) -> HTMLResponse:
    viewer = in_place(request, place_id, "administer")
    page = people.people_page(store_of(request), place_id)
    entries = people.audit_entries(store_of(request), place_id)
    return render(
        request,
        "audit.html",
        {
            "viewer": viewer,
            "place": {"place_id": place_id, "name": page.place_name},
            "entries": entries,
        },
    )
