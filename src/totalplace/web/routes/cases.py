"""Invest to save in the workspace: a place's business cases, and fair shares of the
savings if its agencies pool them."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from totalplace.domain.allocation import RULES
from totalplace.io.errors import ImportRejected, Problem
from totalplace.services import cases as case_service
from totalplace.store import repository as repo
from totalplace.web.pages import render
from totalplace.web.security import Viewer, in_place, place_of, store_of
from totalplace.web.uploads import uploaded_file

router = APIRouter(include_in_schema=False)
MAX_CASE_BYTES = 1024 * 1024


def _list(
    request: Request,
    viewer: Viewer,
    place_id: str,
    problems: list[Problem] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    store = store_of(request)
    with store.sessions() as session:
        place = repo.get_place(session, place_id)
    rows = case_service.cases(store, place_id)
    return render(
        request,
        "cases.html",
        {
            "viewer": viewer,
            "place": place,
            "rows": rows,
            "appraised": {r.id: case_service.appraisal_of(r) for r in rows},
            "problems": problems or [],
        },
        status_code=status_code,
    )


@router.get("/places/{place_id}/cases")
def list_cases(request: Request, place_id: str) -> HTMLResponse:
    return _list(request, in_place(request, place_id, "analyse"), place_id)


@router.post("/places/{place_id}/cases")
async def add_case(request: Request, place_id: str) -> Response:
    viewer = in_place(request, place_id, "publish")
    uploaded = await uploaded_file(request, MAX_CASE_BYTES)
    if isinstance(uploaded, list):
        return _list(request, viewer, place_id, uploaded, 400)
    content, filename = uploaded
    try:
        number = case_service.add_case(store_of(request), place_id, content, filename, viewer.email)
    except ImportRejected as exc:
        return _list(request, viewer, place_id, list(exc.problems), 400)
    return RedirectResponse(f"/places/{place_id}/cases/{number}", status_code=303)


@router.get("/places/{place_id}/cases/{case_id:int}")
def show_case(request: Request, place_id: str, case_id: int) -> HTMLResponse:
    viewer = in_place(request, place_id, "analyse")
    row = next(
        (r for r in case_service.cases(store_of(request), place_id) if r.id == case_id), None
    )
    if row is None:
        raise HTTPException(status_code=404, detail="There is no such case.")
    place = place_of(request, place_id)
    result = case_service.appraised(row)
    try:
        evidence = case_service.cited(store_of(request), place_id, row.spec)
    except ImportRejected:
        evidence = []  # a cited quote since removed: the case still shows
    return render(
        request,
        "case.html",
        {"viewer": viewer, "place": place, "row": row, "result": result, "evidence": evidence},
    )


@router.get("/places/{place_id}/cases/shares")
def case_shares(request: Request, place_id: str) -> HTMLResponse:
    viewer = in_place(request, place_id, "analyse")
    place = place_of(request, place_id)
    return render(
        request,
        "shares.html",
        {
            "viewer": viewer,
            "place": place,
            "shares": case_service.shares(store_of(request), place_id),
            "explanations": RULES,
        },
    )
