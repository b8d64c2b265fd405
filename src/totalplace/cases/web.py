"""Invest to save in the workspace: a place's business cases, and fair shares of the
savings if its agencies pool them."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from totalplace.cases.service import cases as case_service
from totalplace.cases.service import form as case_form
from totalplace.core.problems import ImportRejected, Problem
from totalplace.core.web.pages import numbered, render
from totalplace.core.web.security import Viewer, check_csrf, in_place, place_of, store_of
from totalplace.core.web.uploads import import_upload

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
    return _list(request, in_place(request, place_id, "view"), place_id)


@router.post("/places/{place_id}/cases")
async def add_case(request: Request, place_id: str) -> Response:
    viewer = in_place(request, place_id, "publish")

    def add(content: bytes, filename: str) -> str:
        numbers = case_service.add_cases(
            store_of(request), place_id, content, filename, viewer.email
        )
        one = len(numbers) == 1
        return f"/places/{place_id}/cases/{numbers[0]}" if one else f"/places/{place_id}/cases"

    return await import_upload(
        request,
        MAX_CASE_BYTES,
        add,
        lambda problems: _list(request, viewer, place_id, problems, 400),
    )


@router.get("/places/{place_id}/cases/{case_id:int}")
def show_case(request: Request, place_id: str, case_id: int) -> HTMLResponse:
    viewer = in_place(request, place_id, "view")
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
def case_shares(request: Request, place_id: str) -> RedirectResponse:
    # The sharing of the savings moved to its own page, which counts only the cases the
    # pool runs; old links and bookmarks lead there.
    in_place(request, place_id, "view")
    return RedirectResponse(f"/places/{place_id}/sharing", status_code=303)


@router.get("/places/{place_id}/cases/{case_id:int}.json")
def download_case(request: Request, place_id: str, case_id: int) -> Response:
    in_place(request, place_id, "view")
    row = numbered(case_service.cases(store_of(request), place_id), case_id, "business case")
    return Response(
        case_service.case_file(row),
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="case-{case_id}.json"'},
    )


def _form_page(
    request: Request,
    viewer: Viewer,
    place_id: str,
    state: case_form.CaseForm,
    case_id: int | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    agencies = case_service.agencies_of(store_of(request), place_id)
    return render(
        request,
        "case_form.html",
        {
            "viewer": viewer,
            "place": place_of(request, place_id),
            "form": state,
            "case_id": case_id,
            "agencies": agencies,
            "adjustments": case_form.ADJUSTMENTS,
            "distributions": case_form.DISTRIBUTIONS,
            "inputs": case_form.varying(agencies),
        },
        status_code=status_code,
    )


@router.get("/places/{place_id}/cases/new")
def new_case(request: Request, place_id: str) -> HTMLResponse:
    viewer = in_place(request, place_id, "publish")
    return _form_page(request, viewer, place_id, case_form.blank())


@router.get("/places/{place_id}/cases/{case_id:int}/edit")
def edit_case(request: Request, place_id: str, case_id: int) -> HTMLResponse:
    viewer = in_place(request, place_id, "publish")
    row = numbered(case_service.cases(store_of(request), place_id), case_id, "business case")
    state = case_form.from_spec(case_service.spec_of(row))
    return _form_page(request, viewer, place_id, state, case_id)


async def _save(request: Request, place_id: str, case_id: int | None) -> Response:
    viewer = in_place(request, place_id, "publish")
    posted = {k: str(v) for k, v in (await request.form()).items()}
    check_csrf(request, posted.get("csrf"))
    keep = None
    if case_id is not None:
        rows = case_service.cases(store_of(request), place_id)
        keep = case_service.spec_of(numbered(rows, case_id, "business case"))
    state = case_form.submitted(posted)
    if "more" in posted:  # another empty line was asked for: nothing is saved yet
        return _form_page(request, viewer, place_id, state, case_id)
    spec = case_form.to_spec(state, keep)
    if spec is None:
        return _form_page(request, viewer, place_id, state, case_id, 400)
    try:
        number = case_service.save_case(store_of(request), place_id, case_id, spec, viewer.email)
    except ImportRejected as exc:
        state = case_form.with_problems(state, list(exc.problems))
        return _form_page(request, viewer, place_id, state, case_id, 400)
    return RedirectResponse(f"/places/{place_id}/cases/{number}", status_code=303)


@router.post("/places/{place_id}/cases/new")
async def create_case(request: Request, place_id: str) -> Response:
    return await _save(request, place_id, None)


@router.post("/places/{place_id}/cases/{case_id:int}/edit")
async def change_case(request: Request, place_id: str, case_id: int) -> Response:
    return await _save(request, place_id, case_id)


@router.get("/places/{place_id}/cases/{case_id:int}/delete")
def confirm_delete(request: Request, place_id: str, case_id: int) -> HTMLResponse:
    viewer = in_place(request, place_id, "publish")
    row = numbered(case_service.cases(store_of(request), place_id), case_id, "business case")
    return render(
        request,
        "confirm_delete.html",
        {
            "viewer": viewer,
            "place": place_of(request, place_id),
            "what": "business case",
            "name": row.name,
            "action": f"/places/{place_id}/cases/{case_id}/delete",
            "back": f"/places/{place_id}/cases/{case_id}",
        },
    )


@router.post("/places/{place_id}/cases/{case_id:int}/delete")
async def delete_case(request: Request, place_id: str, case_id: int) -> Response:
    viewer = in_place(request, place_id, "publish")
    check_csrf(request, str((await request.form()).get("csrf") or ""))
    case_service.delete_case(store_of(request), place_id, case_id, viewer.email)
    return RedirectResponse(f"/places/{place_id}/deleted", status_code=303)
