"""The national view in the workspace: every English district's top-down count on a map
and in a table, each district's own count, and the table as CSV and XLSX.

These are public statistics, the same for everyone: any signed-in person may see them,
whatever their role in any place (docs/decisions/0802-national-view-for-everyone.md)."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from totalplace.core.web.pages import render
from totalplace.core.web.security import signed_in
from totalplace.national import service

router = APIRouter(include_in_schema=False)


def _choices(request: Request) -> service.NationalChoices:
    q = request.query_params
    return service.NationalChoices.from_query(
        year=q.get("year", service.YEARS[0]),
        layer=q.get("layer", "total"),
        region=q.get("region", ""),
        search=q.get("q", ""),
        sort=q.get("sort", "value"),
        order=q.get("order", "desc"),
        basis=q.get("basis", "population"),
    )


@router.get("/national", response_class=HTMLResponse)
def national_page(request: Request) -> HTMLResponse:
    viewer = signed_in(request)
    choices = _choices(request)
    view = service.national_view(choices)
    query = urlencode(choices.query())
    return render(
        request,
        "national.html",
        {"viewer": viewer, "view": view, "choices": choices, "query": query},
    )


@router.get("/national/districts/{gss_code}", response_class=HTMLResponse)
def district_page(request: Request, gss_code: str) -> HTMLResponse:
    viewer = signed_in(request)
    choices = _choices(request)
    view = service.district_view(gss_code, choices.year, choices.basis)
    return render(request, "national_district.html", {"viewer": viewer, "view": view})


@router.get("/national/districts.csv")
def national_csv(request: Request) -> Response:
    signed_in(request)
    choices = _choices(request)
    return Response(
        service.national_csv(choices),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{choices.filename()}.csv"'},
    )


@router.get("/national/districts.xlsx")
def national_xlsx(request: Request) -> Response:
    signed_in(request)
    choices = _choices(request)
    return Response(
        service.national_xlsx(choices),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="{choices.filename()}.xlsx"'},
    )
