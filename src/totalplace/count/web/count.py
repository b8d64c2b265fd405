"""The count dashboard: live figures for analysts, drill-down, downloads."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from totalplace.core.reference import reference
from totalplace.core.web.pages import render
from totalplace.core.web.security import Viewer, in_place, place_of, store_of
from totalplace.core.years import FinancialYearError, parse_financial_year
from totalplace.count.files.exports import count_csv, count_xlsx
from totalplace.count.service.counting import count_place, function_by_agency, function_lines
from totalplace.count.service.publishing import _plain, publications
from totalplace.places import tables as place_tables

router = APIRouter(include_in_schema=False)


def checked_year(year: str) -> str:
    try:
        parse_financial_year(year)
    except FinancialYearError as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from exc
    return year


def live_figures(request: Request, place_id: str, year: str) -> dict[str, Any]:
    figures: dict[str, Any] = _plain(
        count_place(place_id, checked_year(year), store=store_of(request)).to_json()
    )
    return figures


def dashboard(
    request: Request,
    viewer: Viewer,
    figures: dict[str, Any],
    *,
    live: bool,
    publication: Any = None,
) -> HTMLResponse:
    place_id = figures["place_id"]
    place = place_of(request, place_id)
    versions = publications(store_of(request), place_id, figures["financial_year"])
    return render(
        request,
        "dashboard.html",
        {
            "viewer": viewer,
            "place": place,
            "figures": figures,
            "live": live,
            "publication": publication,
            "versions": versions,
            "max_agency": _largest(figures["by_agency"]),
            "max_division": _largest(figures["by_cofog_division"]),
            "labels": {c: i.label for c, i in reference().cofog.items()},
        },
    )


def _largest(rows: list[dict[str, Any]]) -> float:
    return max([abs(float(r["gbp"])) for r in rows] + [1.0])


@router.get("/places/{place_id}/count/{year}.csv")
def download_csv(request: Request, place_id: str, year: str) -> Response:
    in_place(request, place_id, "analyse")
    return Response(
        count_csv(live_figures(request, place_id, year)),
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{place_id}-{year}-count.csv"'},
    )


@router.get("/places/{place_id}/count/{year}.xlsx")
def download_xlsx(request: Request, place_id: str, year: str) -> Response:
    in_place(request, place_id, "analyse")
    labels = {c: i.label for c, i in reference().cofog.items()}
    return Response(
        count_xlsx(live_figures(request, place_id, year), labels),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="{place_id}-{year}-count.xlsx"'},
    )


@router.get("/places/{place_id}/count/{year}")
def live(request: Request, place_id: str, year: str) -> HTMLResponse:
    viewer = in_place(request, place_id, "analyse")
    return dashboard(request, viewer, live_figures(request, place_id, year), live=True)


@router.get("/places/{place_id}/count/{year}/functions/{code}")
def function(request: Request, place_id: str, year: str, code: str) -> HTMLResponse:
    viewer = in_place(request, place_id, "analyse")
    division = None if code == "unclassified" else code
    rows = function_by_agency(place_id, checked_year(year), division, store_of(request))
    with store_of(request).sessions() as session:
        place = place_tables.get_place(session, place_id)
        names = {a.agency_id: a.name for a in place_tables.agencies(session, place_id)}
    label = reference().cofog[division].label if division in reference().cofog else "Unclassified"
    return render(
        request,
        "function.html",
        {
            "viewer": viewer,
            "place": place,
            "year": year,
            "code": code,
            "label": label,
            "rows": [{"agency_id": a, "name": names.get(a, a), "pence": p} for a, p in rows],
            "total": sum(p for _a, p in rows),
        },
    )


@router.get("/places/{place_id}/count/{year}/functions/{code}/agencies/{agency_id}")
def function_agency_lines(
    request: Request, place_id: str, year: str, code: str, agency_id: str
) -> HTMLResponse:
    viewer = in_place(request, place_id, "analyse")
    division = None if code == "unclassified" else code
    lines, total = function_lines(
        place_id, checked_year(year), division, agency_id, store_of(request)
    )
    place = place_of(request, place_id)
    label = reference().cofog[division].label if division in reference().cofog else "Unclassified"
    return render(
        request,
        "lines.html",
        {
            "viewer": viewer,
            "place": place,
            "year": year,
            "code": code,
            "label": label,
            "agency_id": agency_id,
            "lines": lines.to_dicts(),
            "total": total,
        },
    )
