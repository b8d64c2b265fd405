"""Published counts: immutable versions that every member of the place can read."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from totalplace.core.web.pages import render
from totalplace.core.web.security import check_csrf, in_place, place_of, store_of
from totalplace.count.service import published as published_service
from totalplace.count.service import publishing
from totalplace.count.service.views import count_csv, count_xlsx
from totalplace.count.web.count import (
    attachment,
    checked_year,
    cofog_labels,
    dashboard,
    function_of,
    live_figures,
)
from totalplace.places.service import queries as place_queries

router = APIRouter(include_in_schema=False)


@router.get("/places/{place_id}/count/{year}/publish")
def confirm_publish(request: Request, place_id: str, year: str) -> HTMLResponse:
    """Publishing is final: say first what is weak in the figures, then ask."""
    viewer = in_place(request, place_id, "publish")
    figures = live_figures(request, place_id, year)
    return render(
        request,
        "publish.html",
        {
            "viewer": viewer,
            "place": place_of(request, place_id),
            "figures": figures,
            "weaknesses": publishing.weaknesses(figures),
        },
    )


@router.post("/places/{place_id}/count/{year}/publish")
def publish(
    request: Request,
    place_id: str,
    year: str,
    csrf: Annotated[str, Form()] = "",
    confirmed: Annotated[str, Form()] = "",
) -> Response:
    viewer = in_place(request, place_id, "publish")
    check_csrf(request, csrf)
    if confirmed != "yes":
        return RedirectResponse(f"/places/{place_id}/count/{year}/publish", status_code=303)
    made = publishing.publish(store_of(request), place_id, checked_year(year), viewer.email)
    return RedirectResponse(
        f"/places/{place_id}/publications/{year}/{made.version}", status_code=303
    )


@router.get("/places/{place_id}/publications")
def listing(request: Request, place_id: str) -> HTMLResponse:
    viewer = in_place(request, place_id, "view")
    place = place_of(request, place_id)
    return render(
        request,
        "publications.html",
        {
            "viewer": viewer,
            "place": place,
            "publications": publishing.publications(store_of(request), place_id),
        },
    )


@router.get("/places/{place_id}/publications/{year}/{version:int}")
def published(request: Request, place_id: str, year: str, version: int) -> HTMLResponse:
    viewer = in_place(request, place_id, "view")
    found = publishing.publication(store_of(request), place_id, year, version)
    if found is None:
        raise HTTPException(status_code=404, detail="There is no such publication.")
    return dashboard(request, viewer, found.figures, live=False, publication=found)


@router.get("/places/{place_id}/publications/{year}/{version:int}/functions/{code}")
def published_function(
    request: Request, place_id: str, year: str, version: int, code: str
) -> HTMLResponse:
    """A published function by agency, for every member: totals only, never lines."""
    viewer = in_place(request, place_id, "view")
    store = store_of(request)
    found = publishing.publication(store, place_id, year, version)
    if found is None:
        raise HTTPException(status_code=404, detail="There is no such publication.")
    if code == "all":
        raise HTTPException(status_code=404, detail="Choose one function of the publication.")
    division, _every, label = function_of(code)
    return render(
        request,
        "published_function.html",
        {
            "viewer": viewer,
            "place": place_of(request, place_id),
            "publication": found,
            "code": code,
            "label": label,
            "function": published_service.published_function(store, found, division),
        },
    )


@router.get("/places/{place_id}/publications/{year}/{version}.csv")
def published_csv(request: Request, place_id: str, year: str, version: int) -> Response:
    in_place(request, place_id, "view")
    found = publishing.publication(store_of(request), place_id, year, version)
    if found is None:
        raise HTTPException(status_code=404, detail="There is no such publication.")
    return attachment(count_csv(found.figures, cofog_labels()), f"{place_id}-{year}-v{version}.csv")


@router.get("/places/{place_id}/publications/{year}/{version}.xlsx")
def published_xlsx(request: Request, place_id: str, year: str, version: int) -> Response:
    in_place(request, place_id, "view")
    found = publishing.publication(store_of(request), place_id, year, version)
    if found is None:
        raise HTTPException(status_code=404, detail="There is no such publication.")
    return attachment(
        count_xlsx(found.figures, cofog_labels()), f"{place_id}-{year}-v{version}.xlsx"
    )


@router.get("/places/{place_id}/compare/{year}")
def compare(request: Request, place_id: str, year: str, before: int, after: int) -> HTMLResponse:
    viewer = in_place(request, place_id, "view")
    store = store_of(request)
    old = publishing.publication(store, place_id, year, before)
    new = publishing.publication(store, place_id, year, after)
    if old is None or new is None:
        raise HTTPException(status_code=404, detail="Choose two published versions to compare.")
    with store.sessions() as session:
        place = place_queries.get_place(session, place_id)
        names = {a.agency_id: a.name for a in place_queries.agencies(session, place_id)}
    return render(
        request,
        "compare.html",
        {
            "viewer": viewer,
            "place": place,
            "comparison": publishing.compare(store, old, new),
            "names": names,
        },
    )
