"""The places a person belongs to, a place's overview, and its settings."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from totalplace.core.web.pages import render
from totalplace.core.web.security import check_csrf, in_place, signed_in, store_of
from totalplace.count.service.counting import count_place
from totalplace.count.service.publishing import publications
from totalplace.places.service import places as place_service
from totalplace.places.service import workspace

router = APIRouter(include_in_schema=False)


@router.get("/places")
def list_places(request: Request) -> HTMLResponse:
    viewer = signed_in(request)
    rows = workspace.my_places(store_of(request), viewer.id)
    return render(
        request, "places.html", {"viewer": viewer, "rows": rows, "errors": {}, "form": {}}
    )


@router.post("/places")
def create_place(
    request: Request,
    place_id: Annotated[str, Form()] = "",
    name: Annotated[str, Form()] = "",
    gss_codes: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, csrf)
    viewer = signed_in(request)
    try:
        workspace.create_place(
            store_of(request), place_id, name, gss_codes, viewer.id, viewer.email
        )
    except place_service.PlaceError as exc:
        rows = workspace.my_places(store_of(request), viewer.id)
        return render(
            request,
            "places.html",
            {
                "viewer": viewer,
                "rows": rows,
                "errors": {exc.field: str(exc)},
                "form": {"place_id": place_id, "name": name, "gss_codes": gss_codes},
            },
            status_code=400,
        )
    return RedirectResponse(f"/places/{place_id.strip().lower()}/settings", status_code=303)


def place_years(request: Request, place_id: str) -> list[str]:
    return workspace.years_with_returns(store_of(request), place_id)


@router.get("/places/{place_id}")
def overview(request: Request, place_id: str, year: str | None = None) -> HTMLResponse:
    viewer = in_place(request, place_id, "view")
    store = store_of(request)
    years = place_years(request, place_id)
    published_years = [p.financial_year for p in publications(store, place_id)]
    # The year people last published is the one they are most likely working on.
    default = published_years[-1] if published_years else (years[0] if years else None)
    chosen = year if year in years else default
    seen = workspace.overview(store, place_id, chosen)
    place, agencies, members = seen.place, seen.agencies, seen.members
    populations, submissions, waiting = seen.populations, seen.submissions, seen.waiting
    published = publications(store, place_id, chosen) if chosen else []
    # Classifying is done only when no amount at all is left without a function.
    open_share = (
        count_place(place_id, chosen, store=store).unclassified_share
        if chosen and submissions and viewer.can("publish")
        else None
    )
    returned = {s.agency_id for s in submissions}
    tasks = [
        {
            "name": "Set up the place: areas, population and agencies",
            "href": f"/places/{place_id}/settings",
            "done": bool(agencies and populations),
            "show": viewer.can("administer"),
        },
        {
            "name": "Invite the people who will do the count",
            "href": f"/places/{place_id}/people",
            "done": len(members) > 1,
            "show": viewer.can("administer"),
        },
        {
            "name": f"Collect every agency's return ({len(returned)} of {len(agencies)})",
            "href": f"/places/{place_id}/returns" + (f"?year={chosen}" if chosen else ""),
            "done": bool(agencies) and len(returned) == len(agencies) and not waiting,
            "show": viewer.can("upload"),
        },
        {
            "name": "Classify spending by function"
            + ("" if open_share is None else f" ({open_share * 100:.1f}% unclassified)"),
            "href": f"/places/{place_id}/classify" + (f"?year={chosen}" if chosen else ""),
            "done": None if open_share is None else open_share == 0,
            "show": viewer.can("publish"),
        },
        {
            "name": "Publish the count",
            "href": f"/places/{place_id}/count/{chosen}" if chosen else "#",
            "done": bool(published),
            "show": viewer.can("publish") and chosen is not None,
        },
    ]
    return render(
        request,
        "place.html",
        {
            "viewer": viewer,
            "place": place,
            "years": years,
            "year": chosen,
            "tasks": tasks,
            "published": published,
            "agencies": agencies,
            "waiting": waiting,
        },
    )


@router.get("/places/{place_id}/settings")
def settings_page(request: Request, place_id: str) -> HTMLResponse:
    viewer = in_place(request, place_id, "administer")
    return _settings(request, viewer, place_id, {}, {})


def _settings(
    request: Request,
    viewer: object,
    place_id: str,
    errors: dict[str, str],
    form: dict[str, str],
    status_code: int = 200,
) -> HTMLResponse:
    context = {
        "viewer": viewer,
        **workspace.settings(store_of(request), place_id),
        "errors": errors,
        "form": form,
    }
    return render(request, "settings.html", context, status_code=status_code)


@router.post("/places/{place_id}/settings/{what}")
async def change_settings(request: Request, place_id: str, what: str) -> Response:
    viewer = in_place(request, place_id, "administer")
    form = {k: str(v) for k, v in (await request.form()).items()}
    check_csrf(request, form.get("csrf"))
    try:
        changed = workspace.change_setting(store_of(request), place_id, what, form, viewer.email)
    except place_service.PlaceError as exc:
        return _settings(
            request,
            viewer,
            place_id,
            {f"{what}-{exc.field}": str(exc)},
            {f"{what}-{k}": v for k, v in form.items()},
            status_code=400,
        )
    if not changed:
        return RedirectResponse(f"/places/{place_id}/settings", status_code=303)
    return RedirectResponse(f"/places/{place_id}/settings#{what}", status_code=303)
