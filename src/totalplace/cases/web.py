"""Invest to save in the workspace: a place's business cases, and fair shares of the
savings if its agencies pool them."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from totalplace.cases.service import cases as case_service
from totalplace.core.problems import ImportRejected, Problem
from totalplace.core.web.pages import numbered, render
from totalplace.core.web.security import Viewer, in_place, place_of, store_of
from totalplace.core.web.uploads import import_upload
from totalplace.sharing import service as sharing_service

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
    place = place_of(request, place_id)
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

    def add(content: bytes, filename: str) -> str:
        number = case_service.add_case(store_of(request), place_id, content, filename, viewer.email)
        return f"/places/{place_id}/cases/{number}"

    return await import_upload(
        request,
        MAX_CASE_BYTES,
        add,
        lambda problems: _list(request, viewer, place_id, problems, 400),
    )


@router.get("/places/{place_id}/cases/{case_id:int}")
def show_case(request: Request, place_id: str, case_id: int) -> HTMLResponse:
    viewer = in_place(request, place_id, "analyse")
    row = numbered(case_service.cases(store_of(request), place_id), case_id, "business case")
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
            "explanations": sharing_service.RULES,
        },
    )
