"""Signing in and out, and accepting an invitation."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from totalplace.core.web.pages import render
from totalplace.core.web.security import check_csrf, signed_in, store_of
from totalplace.people import service as people
from totalplace.places import tables as place_tables

router = APIRouter(include_in_schema=False)


def _safe_next(target: str | None) -> str:
    # Only paths on this site: never an open redirect.
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return "/places"


@router.get("/login")
def login_page(request: Request, next: str | None = None) -> HTMLResponse:
    return render(request, "login.html", {"next": _safe_next(next), "errors": {}})


@router.post("/login")
def login(
    request: Request,
    email: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/places",
) -> Response:
    check_csrf(request, csrf)
    limiter = request.app.state.limiter
    address = request.client.host if request.client else "unknown"
    keys = (f"ip:{address}", f"email:{people.normalise_email(email)}")
    errors: dict[str, str] = {}
    if limiter.blocked(*keys):
        errors["email"] = "Too many failed attempts. Wait five minutes, then try again."
    else:
        found = people.authenticate(store_of(request), email, password)
        if found is not None:
            limiter.succeeded(*keys)
            request.session.clear()
            request.session["user_id"] = found.id
            return RedirectResponse(_safe_next(next), status_code=303)
        limiter.failed(*keys)
        errors["email"] = "The email address or password is not right."
    return render(
        request,
        "login.html",
        {"next": _safe_next(next), "errors": errors, "email": email},
        status_code=400,
    )


@router.post("/logout")
def logout(request: Request, csrf: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf)
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


@router.get("/invite/{token}")
def invitation_page(request: Request, token: str) -> HTMLResponse:
    with store_of(request).sessions() as session:
        found = people.invitation(session, token)
        place = place_tables.get_place(session, found.place_id) if found else None
    return render(
        request,
        "invitation.html",
        {"invitation": found, "place": place, "token": token, "errors": {}},
        status_code=200 if found else 404,
    )


@router.post("/invite/{token}")
def accept_invitation(
    request: Request,
    token: str,
    name: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, csrf)
    store = store_of(request)
    try:
        with store.transaction() as session:
            person = people.accept_invitation(session, token, name, password)
    except people.PeopleError as exc:
        with store.sessions() as session:
            found = people.invitation(session, token)
            place = place_tables.get_place(session, found.place_id) if found else None
        return render(
            request,
            "invitation.html",
            {
                "invitation": found,
                "place": place,
                "token": token,
                "name": name,
                "errors": {"password": str(exc)},
            },
            status_code=400,
        )
    request.session.clear()
    request.session["user_id"] = person.id
    return RedirectResponse("/places", status_code=303)


@router.get("/account")
def account_page(request: Request) -> HTMLResponse:
    return render(request, "account.html", {"viewer": signed_in(request), "errors": {}})


@router.post("/account")
def change_password(
    request: Request,
    current: Annotated[str, Form()] = "",
    new: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    viewer = signed_in(request)
    check_csrf(request, csrf)
    try:
        with store_of(request).transaction() as session:
            people.change_password(session, viewer.id, current, new)
    except people.PeopleError as exc:
        field = "current" if "current" in str(exc) else "new"
        return render(
            request,
            "account.html",
            {"viewer": viewer, "errors": {field: str(exc)}},
            status_code=400,
        )
    return render(request, "account.html", {"viewer": viewer, "errors": {}, "changed": True})
