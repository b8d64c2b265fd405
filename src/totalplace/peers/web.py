"""Benchmarking in the workspace: a district's peers with the metrics and weights shown and
changeable, its count per head beside them, spend against outcomes, trends, and the
national roll-up of the places' published counts."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from totalplace.core.problems import Problem, TotalplaceError
from totalplace.core.web.pages import render
from totalplace.core.web.security import in_place, place_of, store_of
from totalplace.peers import service

router = APIRouter(include_in_schema=False)


def _int(text: str, default: int) -> int | None:
    if not text.strip():
        return default
    try:
        return int(text)
    except ValueError:
        return None


@router.get("/places/{place_id}/peers")
def peers_page(request: Request, place_id: str) -> HTMLResponse:
    viewer = in_place(request, place_id, "view")
    store = store_of(request)
    q = request.query_params
    own_districts = service.place_districts(store, place_id)
    names = service.district_names()
    district = q.get("district", "") or (own_districts[0] if own_districts else "E08000009")
    set_key = q.get("set", "computed")
    year = q.get("year", service.YEARS[0])
    problems: list[Problem] = []
    typed = {m.key: q.get(f"w-{m.key}", "") for m in service.metrics()}
    weights = dict(service.DEFAULT_WEIGHTS)
    k = _int(q.get("k", ""), service.DEFAULT_K)
    group = benchmark = None
    charts: list[service.Chart] = []
    trends = None
    try:
        if year not in service.YEARS:
            raise service.BadPeerOptions(
                f"choose a year of {', '.join(service.YEARS)}", field="year"
            )
        if k is None:
            raise service.BadPeerOptions(
                "the number of neighbours must be a whole number", field="k"
            )
        weights = service.parse_weights(typed)
        group = service.peer_group(district, set_key, weights, k)
        own = (
            service.own_count(store, place_id, year)
            if group.gss_code in own_districts and len(own_districts) == 1
            else None
        )
        benchmark = service.benchmark(group.gss_code, year, group, own)
        charts = service.charts(group.gss_code, year, group)
        trends = service.trends(group)
    except TotalplaceError as exc:
        problems = list(exc.problems)
    place = place_of(request, place_id)
    return render(
        request,
        "peers.html",
        {
            "viewer": viewer,
            "place": place,
            "place_id": place_id,
            "place_name": place.name if place else place_id,
            "own_districts": own_districts,
            "names": names,
            "district": district,
            "set_key": set_key,
            "sets": service.SETS,
            "year": year,
            "years": service.YEARS,
            "k": q.get("k", "") or service.DEFAULT_K,
            "typed": typed,
            "weights": weights,
            "metrics": service.metrics(),
            "group": group,
            "benchmark": benchmark,
            "charts": charts,
            "small": service.SMALLEST_CHARTED,
            "trends": trends,
            "problems": problems,
            "errors": {p.column: p for p in problems if p.column},
        },
        status_code=400 if problems else 200,
    )


@router.get("/places/{place_id}/peers/rollup")
def rollup_page(request: Request, place_id: str) -> HTMLResponse:
    viewer = in_place(request, place_id, "view")
    store = store_of(request)
    years = service.rollup_years(store)
    year = request.query_params.get("year", "") or (years[0] if years else service.YEARS[0])
    problems: list[Problem] = []
    rolled = None
    try:
        rolled = service.rollup(store, year)
    except TotalplaceError as exc:
        problems = list(exc.problems)
    place = place_of(request, place_id)
    return render(
        request,
        "peers_rollup.html",
        {
            "viewer": viewer,
            "place": place,
            "place_id": place_id,
            "place_name": place.name if place else place_id,
            "year": year,
            "years": years,
            "rolled": rolled,
            "labels": service.labels(),
            "problems": problems,
        },
        status_code=400 if problems else 200,
    )
