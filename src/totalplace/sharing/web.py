"""Sharing the savings in the workspace: if the place's agencies pool their business
cases, where each agency stands under each rule. Read-only, so every member sees it."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from totalplace.core.problems import ImportRejected
from totalplace.core.web.pages import render
from totalplace.core.web.security import in_place, place_of, store_of
from totalplace.sharing import service as sharing_service

router = APIRouter(include_in_schema=False)


@router.get("/places/{place_id}/sharing")
def sharing_page(request: Request, place_id: str) -> HTMLResponse:
    viewer = in_place(request, place_id, "view")
    place = place_of(request, place_id)
    try:
        shares = sharing_service.place_shares(store_of(request), place_id)
    except ImportRejected as exc:
        # A case naming an agency the place does not have: say which, share nothing.
        return render(
            request,
            "sharing.html",
            {"viewer": viewer, "place": place, "shares": None, "problems": exc.problems},
            status_code=409,
        )
    return render(
        request,
        "sharing.html",
        {
            "viewer": viewer,
            "place": place,
            "shares": shares,
            "problems": [],
            "explanations": sharing_service.RULES,
        },
    )
