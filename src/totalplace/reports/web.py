"""The place's reports in the workspace: preview a draft, issue a version, read and
download an issued one, compare two versions, and the places together."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from totalplace.core.problems import ImportRejected, NotFound, Problem
from totalplace.core.registry import identity
from totalplace.core.web.pages import render
from totalplace.core.web.security import Viewer, check_csrf, in_place, place_of, signed_in, store_of
from totalplace.core.years import is_financial_year
from totalplace.reports import service as reports

router = APIRouter(include_in_schema=False)
MEDIA = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def _list(
    request: Request,
    viewer: Viewer,
    place_id: str,
    problems: list[Problem] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    store = store_of(request)
    return render(
        request,
        "reports.html",
        {
            "viewer": viewer,
            "place": place_of(request, place_id),
            "versions": list(reversed(reports.versions(store, place_id))),
            "years": reports.published_years(store, place_id),
            "stages": reports.STAGES_SHOWN,
            "problems": problems or [],
        },
        status_code=status_code,
    )


@router.get("/places/{place_id}/reports")
def list_reports(request: Request, place_id: str) -> HTMLResponse:
    return _list(request, in_place(request, place_id, "view"), place_id)


def _year_and_stage(year: str, stage: str) -> list[Problem]:
    problems = []
    if not is_financial_year(year):
        problems.append(
            Problem("bad-financial-year", "choose the year of a published count", column="year")
        )
    if stage not in reports.STAGES_SHOWN:
        problems.append(Problem("out-of-range", "choose interim or final", column="stage"))
    return problems


@router.get("/places/{place_id}/reports/preview")
def preview(request: Request, place_id: str, year: str = "", stage: str = "interim") -> Response:
    viewer = in_place(request, place_id, "analyse")
    problems = _year_and_stage(year, stage)
    if problems:
        return _list(request, viewer, place_id, problems, 400)
    report = reports.assemble(store_of(request), place_id, year, stage)
    return render(
        request,
        "report.html",
        {
            "viewer": viewer,
            "place": place_of(request, place_id),
            "report": report,
            **reports.page_context(report),
        },
    )


@router.post("/places/{place_id}/reports")
async def issue(request: Request, place_id: str) -> Response:
    viewer = in_place(request, place_id, "publish")
    form = await request.form()
    check_csrf(request, str(form.get("csrf") or ""))
    year, stage = str(form.get("year") or ""), str(form.get("stage") or "")
    problems = _year_and_stage(year, stage)
    if problems:
        return _list(request, viewer, place_id, problems, 400)
    try:
        report = reports.issue(store_of(request), place_id, year, stage, viewer.email)
    except ImportRejected as exc:
        return _list(request, viewer, place_id, list(exc.problems), 400)
    return RedirectResponse(f"/places/{place_id}/reports/{report.version}", status_code=303)


@router.get("/places/{place_id}/reports/compare")
def compare(request: Request, place_id: str, before: str = "", after: str = "") -> Response:
    viewer = in_place(request, place_id, "view")
    store = store_of(request)
    versions = reports.versions(store, place_id)
    comparison = None
    if before.isdigit() and after.isdigit():
        try:
            comparison = reports.compare_versions(store, place_id, int(before), int(after))
        except NotFound as exc:
            raise HTTPException(status_code=404, detail="There is no such version.") from exc
    return render(
        request,
        "report_compare.html",
        {
            "viewer": viewer,
            "place": place_of(request, place_id),
            "versions": versions,
            "comparison": comparison,
            "before": before,
            "after": after,
        },
    )


def _issued(request: Request, place_id: str, version: int) -> reports.ReportShown:
    try:
        return reports.issued(store_of(request), place_id, version)
    except NotFound as exc:
        raise HTTPException(status_code=404, detail="There is no such report.") from exc


@router.get("/places/{place_id}/reports/{version:int}")
def show(request: Request, place_id: str, version: int) -> HTMLResponse:
    viewer = in_place(request, place_id, "view")
    report = _issued(request, place_id, version)
    return render(
        request,
        "report.html",
        {
            "viewer": viewer,
            "place": place_of(request, place_id),
            "report": report,
            **reports.page_context(report),
        },
    )


@router.get("/places/{place_id}/reports/{version:int}/report.{kind}")
def download(request: Request, place_id: str, version: int, kind: str) -> Response:
    in_place(request, place_id, "view")
    if kind not in MEDIA:
        raise HTTPException(status_code=404, detail="Choose html, pdf or docx.")
    report = _issued(request, place_id, version)
    base = str(request.base_url).rstrip("/")
    return Response(
        reports.document(report, kind, base),
        media_type=MEDIA[kind],
        headers={
            "Content-Disposition": f'attachment; filename="{place_id}-report-v{version}.{kind}"'
        },
    )


@router.get("/reports/consolidated")
def consolidated(request: Request, year: str = "") -> HTMLResponse:
    """The places this person belongs to, together, for a year."""
    viewer = signed_in(request)
    store = store_of(request)
    mine = [p for p in reports.place_ids(store) if identity().place_role(store, viewer.id, p)]
    years = sorted({y for p in mine for y in reports.published_years(store, p)}, reverse=True)
    chosen = year if year in years else (years[0] if years else "")
    report = reports.consolidated(store, mine, chosen) if chosen else None
    return render(
        request,
        "report_consolidated.html",
        {
            "viewer": viewer,
            "report": report,
            "years": years,
            "year": chosen,
            **(reports.page_context(report) if report else {}),
        },
    )
