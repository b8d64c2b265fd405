"""The count dashboard: live figures for analysts, drill-down, downloads."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from totalplace.core.reference import reference
from totalplace.core.web.pages import render
from totalplace.core.web.security import Viewer, in_place, place_of, store_of
from totalplace.core.years import FinancialYearError, parse_financial_year
from totalplace.count.service.counting import count_place, function_by_agency, function_lines
from totalplace.count.service.publishing import _plain, publications
from totalplace.count.service.views import (
    FIELD_LABELS,
    count_csv,
    count_xlsx,
    lines_csv,
    lines_xlsx,
)
from totalplace.places.service import queries as place_queries

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
            "names": {
                a["agency_id"]: a.get("label") or a["agency_id"] for a in figures["by_agency"]
            },
        },
    )


def _largest(rows: list[dict[str, Any]]) -> float:
    return max([abs(float(r["gbp"])) for r in rows] + [1.0])


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LINES_PER_PAGE = 100


def cofog_labels() -> dict[str, str]:
    return {c: i.label for c, i in reference().cofog.items()}


def attachment(content: str | bytes, name: str) -> Response:
    media = "text/csv" if name.endswith(".csv") else XLSX
    return Response(
        content, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@router.get("/places/{place_id}/count/{year}.csv")
def download_csv(request: Request, place_id: str, year: str) -> Response:
    in_place(request, place_id, "analyse")
    figures = live_figures(request, place_id, year)
    return attachment(count_csv(figures, cofog_labels()), f"{place_id}-{year}-count.csv")


@router.get("/places/{place_id}/count/{year}.xlsx")
def download_xlsx(request: Request, place_id: str, year: str) -> Response:
    in_place(request, place_id, "analyse")
    figures = live_figures(request, place_id, year)
    return attachment(count_xlsx(figures, cofog_labels()), f"{place_id}-{year}-count.xlsx")


@router.get("/places/{place_id}/count/{year}")
def live(request: Request, place_id: str, year: str) -> HTMLResponse:
    viewer = in_place(request, place_id, "analyse")
    return dashboard(request, viewer, live_figures(request, place_id, year), live=True)


def function_of(code: str) -> tuple[str | None, bool, str]:
    """The division a drill-down is for, whether it is every function, and its name."""
    if code == "all":
        return None, True, "Every function"
    division = None if code == "unclassified" else code
    if division is not None and division not in reference().cofog:
        raise HTTPException(status_code=404, detail=f"There is no COFOG division {code!r}.")
    label = reference().cofog[division].label if division else "Unclassified"
    return division, False, label


@router.get("/places/{place_id}/count/{year}/functions/{code}")
def function(request: Request, place_id: str, year: str, code: str) -> HTMLResponse:
    viewer = in_place(request, place_id, "analyse")
    division, _every, label = function_of(code)
    rows = function_by_agency(place_id, checked_year(year), division, store_of(request))
    with store_of(request).sessions() as session:
        place = place_queries.get_place(session, place_id)
        names = {a.agency_id: a.name for a in place_queries.agencies(session, place_id)}
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


def _agency_name(request: Request, place_id: str, agency_id: str) -> str:
    with store_of(request).sessions() as session:
        names = {a.agency_id: a.name for a in place_queries.agencies(session, place_id)}
    if agency_id not in names:
        raise HTTPException(status_code=404, detail=f"The place has no agency {agency_id!r}.")
    return names[agency_id]


def _lines_download(
    request: Request, place_id: str, year: str, code: str, agency_id: str, kind: str, q: str
) -> Response:
    in_place(request, place_id, "analyse")
    division, every, label = function_of(code)
    name = _agency_name(request, place_id, agency_id)
    found = function_lines(
        place_id,
        checked_year(year),
        division,
        agency_id,
        store_of(request),
        search=q,
        every_function=every,
    )
    filename = f"{place_id}-{year}-{code}-{agency_id}-lines.{kind}"
    if kind == "csv":
        return attachment(lines_csv(found.lines), filename)
    title = f"{name}: {label}, {year}" + (f", lines matching {q!r}" if q else "")
    return attachment(lines_xlsx(found.lines, title), filename)


@router.get("/places/{place_id}/count/{year}/functions/{code}/agencies/{agency_id}.csv")
def function_lines_csv(
    request: Request, place_id: str, year: str, code: str, agency_id: str, q: str = ""
) -> Response:
    return _lines_download(request, place_id, year, code, agency_id, "csv", q)


@router.get("/places/{place_id}/count/{year}/functions/{code}/agencies/{agency_id}.xlsx")
def function_lines_xlsx(
    request: Request, place_id: str, year: str, code: str, agency_id: str, q: str = ""
) -> Response:
    return _lines_download(request, place_id, year, code, agency_id, "xlsx", q)


@router.get("/places/{place_id}/count/{year}/functions/{code}/agencies/{agency_id}")
def function_agency_lines(
    request: Request,
    place_id: str,
    year: str,
    code: str,
    agency_id: str,
    q: str = "",
    page: int = 1,
) -> HTMLResponse:
    viewer = in_place(request, place_id, "analyse")
    division, every, label = function_of(code)
    name = _agency_name(request, place_id, agency_id)
    first = function_lines(
        place_id,
        checked_year(year),
        division,
        agency_id,
        store_of(request),
        search=q,
        offset=(max(page, 1) - 1) * LINES_PER_PAGE,
        limit=LINES_PER_PAGE,
        every_function=every,
    )
    pages = max(1, -(-first.matching // LINES_PER_PAGE))
    place = place_of(request, place_id)
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
            "agency_name": name,
            "lines": first.lines.to_dicts(),
            "total": first.matching,
            "total_pence": first.matching_pence,
            "q": q,
            "page": min(max(page, 1), pages),
            "pages": pages,
            "per_page": LINES_PER_PAGE,
            "field_labels": FIELD_LABELS,
        },
    )
