"""The people of a place: who has which role, invitations, and the audit log."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from totalplace.core.store import audit as audit_store
from totalplace.core.web.pages import render
from totalplace.core.web.security import Viewer, check_csrf, in_place, store_of
from totalplace.people import service as people_service
from totalplace.places import tables as place_tables

router = APIRouter(include_in_schema=False)


def _page(request: Request, viewer: Viewer, place_id: str, **extra: object) -> HTMLResponse:
    status = int(str(extra.pop("status_code", 200)))
    with store_of(request).sessions() as session:
        context = {
            "viewer": viewer,
            "place": place_tables.get_place(session, place_id),
            "members": people_service.members(session, place_id),
            "agencies": place_tables.agencies(session, place_id),
            "roles": people_service.ROLES,
            "errors": {},
            "form": {},
            **extra,
        }
    return render(request, "people.html", context, status_code=status)


@router.get("/places/{place_id}/people")
def people_page(request: Request, place_id: str) -> HTMLResponse:
    return _page(request, in_place(request, place_id, "administer"), place_id)


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
        with store_of(request).transaction() as session:
            token = people_service.invite(
                session, place_id, email, role, agency_id or None, viewer.email
            )
    except people_service.PeopleError as exc:
        field = "agency_id" if "agency" in str(exc) else "role" if "role" in str(exc) else "email"
        return _page(
            request,
            viewer,
            place_id,
            errors={field: str(exc)},
            form={"email": email, "role": role, "agency_id": agency_id},
            status_code=400,
        )
    link = str(request.url_for("invitation_page", token=token))
    return _page(request, viewer, place_id, invited={"email": email, "link": link, "role": role})


@router.get("/places/{place_id}/audit")
def audit_page(request: Request, place_id: str) -> HTMLResponse:
    viewer = in_place(request, place_id, "administer")
    with store_of(request).sessions() as session:
        entries = list(reversed(audit_store.audit_log(session, place_id)))[:500]
        place = place_tables.get_place(session, place_id)
    return render(request, "audit.html", {"viewer": viewer, "place": place, "entries": entries})
