"""The public estate in the workspace: every agency's assets on one map of the place, a
table of the same assets, filters, a CSV download, the data-quality findings, where
agencies could share, the running costs from the count, and an upload."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from totalplace.core.problems import ImportRejected, Problem
from totalplace.core.web.pages import render
from totalplace.core.web.security import Viewer, in_place, store_of
from totalplace.core.web.uploads import uploaded_file
from totalplace.estate import service

router = APIRouter(include_in_schema=False)
# The table shows this many assets a page; the map and the download show them all.
PER_PAGE = 50


def _filters(request: Request) -> service.Filters:
    q = request.query_params
    vacancy = q.get("vacancy", "")
    return service.Filters(
        agency=q.get("agency", ""),
        use=q.get("use", ""),
        tenure=q.get("tenure", ""),
        vacancy=vacancy if vacancy in ("vacant", "occupied") else "",
    )


def _page(
    request: Request,
    viewer: Viewer,
    place_id: str,
    problems: list[Problem] | None = None,
    status_code: int = 200,
    chosen_agency: str = "",
) -> HTMLResponse:
    store = store_of(request)
    filters = _filters(request)
    view = service.estate(store, place_id, filters)
    year = request.query_params.get("year", "")
    years = service.count_years(store, place_id)
    # Running costs come from the live count's lines, which only analysts and leads see.
    live = viewer.can("analyse") and bool(year or years)
    costs = service.running_costs(store, place_id, year or years[0]) if live else None
    pairs = service.colocation(store, place_id)
    pages = max(1, -(-len(view.assets) // PER_PAGE))
    try:
        number = min(max(1, int(request.query_params.get("page", "1"))), pages)
    except ValueError:
        number = 1
    others = [(k, v) for k, v in request.query_params.multi_items() if k != "page"]
    return render(
        request,
        "estate.html",
        {
            "viewer": viewer,
            "place": {"place_id": view.place_id, "name": view.place_name},
            "view": view,
            "filters": filters,
            "costs": costs,
            "years": years,
            "pairs": pairs[:10],
            "pair_count": len(pairs),
            "agency_names": {g.agency_id: g.name for g in view.agencies},
            "upload_agencies": service.agencies(store, place_id),
            "chosen_agency": chosen_agency,
            "finding_titles": service.FINDING_TITLES,
            "problems": problems or [],
            "query": urlencode(others),
            "rows": view.assets[(number - 1) * PER_PAGE : number * PER_PAGE],
            "page": number,
            "pages": pages,
            "first_row": (number - 1) * PER_PAGE + 1,
        },
        status_code=status_code,
    )


@router.get("/places/{place_id}/estate")
def estate_page(request: Request, place_id: str) -> HTMLResponse:
    viewer = in_place(request, place_id, "view")  # the map is for every member
    try:
        return _page(request, viewer, place_id)
    except ImportRejected as exc:
        raise HTTPException(status_code=404, detail=exc.problems[0].message) from None


@router.get("/places/{place_id}/estate/assets.csv")
def estate_csv(request: Request, place_id: str) -> Response:
    in_place(request, place_id, "view")
    content = service.assets_csv(store_of(request), place_id, _filters(request))
    return Response(
        content,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{place_id}-assets.csv"'},
    )


@router.post("/places/{place_id}/estate")
async def estate_upload(request: Request, place_id: str) -> Response:
    # Analysts and leads: the page shown after an upload is the whole estate.
    viewer = in_place(request, place_id, "publish")
    form = await request.form()
    agency_id = str(form.get("agency_id") or "").strip()
    sites = [s for s in str(form.get("sites") or "").replace(",", " ").split() if s]
    uploaded = await uploaded_file(request, service.MAX_ESTATE_BYTES)
    if isinstance(uploaded, list):
        return _page(request, viewer, place_id, uploaded, 400, agency_id)
    if not agency_id:
        problem = Problem(
            "unknown-agency", "choose the agency whose estate this is", column="agency"
        )
        return _page(request, viewer, place_id, [problem], 400)
    content, filename = uploaded
    try:
        service.import_estate(
            store_of(request), place_id, content, filename, agency_id, viewer.email, sites=sites
        )
    except ImportRejected as exc:
        return _page(request, viewer, place_id, list(exc.problems), 400, agency_id)
    return RedirectResponse(f"/places/{place_id}/estate?agency={agency_id}", status_code=303)
