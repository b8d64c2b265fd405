"""Signing in and out, your account, accepting an invitation, and reset links."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from totalplace.core.web.pages import render
from totalplace.core.web.security import (
    begin_session,
    check_csrf,
    client_address,
    end_session,
    maybe_signed_in,
    signed_in,
    store_of,
)
from totalplace.people import service as people

router = APIRouter(include_in_schema=False)


def _safe_next(target: str | None) -> str:
    # Only paths on this site: never an open redirect.
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/places"


@router.get("/login")
def login_page(
    request: Request, next: str | None = None, signed_out: str = "", reset: str = ""
) -> HTMLResponse:
    notice = (
        "You have been signed out on every device."
        if signed_out == "everywhere"
        else "Your new password is set. Sign in with it."
        if reset == "done"
        else ""
    )
    return render(request, "login.html", {"next": _safe_next(next), "errors": {}, "notice": notice})


@router.post("/login")
def login(
    request: Request,
    email: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/places",
) -> Response:
    check_csrf(request, csrf)
    result = people.sign_in(store_of(request), email, password, client_address(request))
    if result.person is not None:
        # A fresh session id at every sign-in: an id planted before sign-in is worthless.
        end_session(request)
        begin_session(request, result.token)
        return RedirectResponse(_safe_next(next), status_code=303)
    return render(
        request,
        "login.html",
        {"next": _safe_next(next), "errors": {"email": result.refused}, "email": email},
        status_code=400,
    )


@router.post("/logout")
def logout(request: Request, csrf: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf)
    end_session(request)
    return RedirectResponse("/login", status_code=303)


def _invitation_page(
    request: Request, token: str, errors: dict[str, str] | None = None, **extra: object
) -> HTMLResponse:
    found = people.invitation(store_of(request), token)
    return render(
        request,
        "invitation.html",
        {
            "invitation": found,
            "token": token,
            "viewer": maybe_signed_in(request),
            "errors": errors or {},
            **extra,
        },
        status_code=(400 if errors else 200) if found else 404,
    )


@router.get("/invite/{token}")
def invitation_page(request: Request, token: str) -> HTMLResponse:
    return _invitation_page(request, token)


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
    found = people.invitation(store, token)
    if found is None:
        return _invitation_page(request, token)
    viewer = maybe_signed_in(request)
    try:
        if found.has_account:
            # Only the account itself, signed in with its own password, may accept.
            if viewer is None:
                return RedirectResponse(f"/login?next=/invite/{token}", status_code=303)
            people.accept_as(store, token, viewer.id)
        else:
            accepted = people.accept_as_new(store, token, name, password)
            end_session(request)
            begin_session(request, accepted.token)
    except people.PeopleError as exc:
        return _invitation_page(request, token, {exc.field or "invitation": str(exc)}, name=name)
    return RedirectResponse("/places", status_code=303)


@router.get("/account")
def account_page(request: Request, changed: str = "") -> HTMLResponse:
    return render(
        request,
        "account.html",
        {"viewer": signed_in(request), "errors": {}, "changed": changed == "1"},
    )


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
        token = people.change_password(store_of(request), viewer.id, current, new)
    except people.PeopleError as exc:
        return render(
            request,
            "account.html",
            {"viewer": viewer, "errors": {exc.field or "new": str(exc)}},
            status_code=400,
        )
    # Every session of the account has ended, a copied cookie with them; this browser
    # carries on in a new one.
    begin_session(request, token)
    return RedirectResponse("/account?changed=1", status_code=303)


@router.post("/account/sign-out-everywhere")
def sign_out_everywhere(request: Request, csrf: Annotated[str, Form()] = "") -> Response:
    viewer = signed_in(request)
    check_csrf(request, csrf)
    people.sign_out_everywhere(store_of(request), viewer.id)
    end_session(request)
    return RedirectResponse("/login?signed_out=everywhere", status_code=303)


@router.get("/reset/{token}")
def reset_page(request: Request, token: str) -> HTMLResponse:
    found = people.reset_view(store_of(request), token)
    return render(
        request,
        "reset.html",
        {"reset": found, "token": token, "errors": {}},
        status_code=200 if found else 404,
    )


@router.post("/reset/{token}")
def reset_password(
    request: Request,
    token: str,
    password: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, csrf)
    store = store_of(request)
    try:
        people.use_reset(store, token, password)
    except people.PeopleError as exc:
        found = people.reset_view(store, token)
        return render(
            request,
            "reset.html",
            {"reset": found, "token": token, "errors": {"password": str(exc)}},
            status_code=400 if found else 404,
        )
    end_session(request)
    return RedirectResponse("/login?reset=done", status_code=303)
