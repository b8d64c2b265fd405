"""The deep-dive page: the flows through the place as a Sankey picture with its table,
streams per theme, the theme count, shared suppliers and the same service bought twice;
downloads of the flows and the template, and an upload of flows."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from totalplace.core.problems import ImportRejected, Problem
from totalplace.core.web.pages import render
from totalplace.core.web.security import Viewer, in_place, store_of
from totalplace.core.web.uploads import uploaded_file
from totalplace.deepdive import service

router = APIRouter(include_in_schema=False)


def _page(
    request: Request,
    viewer: Viewer,
    place_id: str,
    problems: list[Problem] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    store = store_of(request)
    view = service.deep_dive(store, place_id, request.query_params.get("year") or None)
    return render(
        request,
        "deepdive.html",
        {
            "viewer": viewer,
            "place": {"place_id": view.place.place_id, "name": view.place.name},
            "view": view,
            "labels": service.FIELD_LABELS,
            "problems": problems or [],
            "illustrative": service.illustrative(store, place_id),
        },
        status_code=status_code,
    )


@router.get("/places/{place_id}/deepdive")
def deepdive_page(request: Request, place_id: str) -> HTMLResponse:
    # Read-only for every member, as the rest of the place's published material is;
    # the downloads and uploads stay with leads and analysts (the template hides them).
    viewer = in_place(request, place_id, "view")
    return _page(request, viewer, place_id)


@router.get("/places/{place_id}/deepdive/flows.csv")
def flows_download(request: Request, place_id: str) -> Response:
    in_place(request, place_id, "analyse")
    return Response(
        service.flows_csv(store_of(request), place_id),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{place_id}-funding-flows.csv"'},
    )


@router.get("/places/{place_id}/deepdive/template.xlsx")
def template_download(request: Request, place_id: str) -> Response:
    in_place(request, place_id, "analyse")
    return Response(
        service.template(store_of(request), place_id),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="{place_id}-flows-template.xlsx"'},
    )


def _mapping(text: str) -> dict[str, str]:
    found = {}
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep and key.strip() and value.strip():
            found[key.strip()] = value.strip()
    return found


@router.post("/places/{place_id}/deepdive")
async def flows_upload(request: Request, place_id: str) -> Response:
    viewer = in_place(request, place_id, "publish")
    form = await request.form()
    mapping = _mapping(str(form.get("mapping") or ""))
    uploaded = await uploaded_file(request, service.MAX_FLOWS_BYTES)
    if isinstance(uploaded, list):
        return _page(request, viewer, place_id, uploaded, 400)
    content, filename = uploaded
    try:
        service.import_flows(store_of(request), place_id, content, filename, viewer.email, mapping)
    except ImportRejected as exc:
        return _page(request, viewer, place_id, list(exc.problems), 400)
    return RedirectResponse(f"/places/{place_id}/deepdive", status_code=303)


@router.post("/places/{place_id}/deepdive/theme-rules")
async def theme_rules_upload(request: Request, place_id: str) -> Response:
    """Replace the place's theme rules with an uploaded CSV, all or nothing."""
    viewer = in_place(request, place_id, "publish")
    uploaded = await uploaded_file(request, service.MAX_FLOWS_BYTES)
    if isinstance(uploaded, list):
        return _page(request, viewer, place_id, uploaded, 400)
    content, filename = uploaded
    try:
        service.set_theme_rules(store_of(request), place_id, content, filename, viewer.email)
    except ImportRejected as exc:
        return _page(request, viewer, place_id, list(exc.problems), 400)
    return RedirectResponse(f"/places/{place_id}/deepdive#themes", status_code=303)
