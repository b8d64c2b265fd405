"""The JSON API: the same operations for scripts, described at /openapi.json."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request

from totalplace.services import people, publishing
from totalplace.store import repository as repo
from totalplace.web.routes.count import live_figures
from totalplace.web.security import in_place, signed_in, store_of

router = APIRouter(prefix="/api", tags=["api"])


@router.get("/places", summary="The places you belong to, with your role in each")
def api_places(request: Request) -> list[dict[str, Any]]:
    viewer = signed_in(request)
    with store_of(request).sessions() as session:
        out = []
        for member in people.memberships(session, viewer.id):
            place = repo.get_place(session, member.place_id)
            if place is not None:
                out.append(
                    {
                        "place_id": place.place_id,
                        "name": place.name,
                        "gss_codes": place.gss_codes.split(";"),
                        "role": member.role,
                        "agency_id": member.agency_id,
                    }
                )
    return out


@router.get("/places/{place_id}/count/{year}", summary="The live count (analysts and leads)")
def api_count(request: Request, place_id: str, year: str) -> dict[str, Any]:
    in_place(request, place_id, "analyse")
    return live_figures(request, place_id, year)


@router.get("/places/{place_id}/publications", summary="Published counts of the place")
def api_publications(request: Request, place_id: str) -> list[dict[str, Any]]:
    in_place(request, place_id, "view")
    return [
        {
            "financial_year": p.financial_year,
            "version": p.version,
            "published_by": p.published_by,
            "published_at": p.published_at.isoformat(),
            "total_gbp": p.figures["total_gbp"],
        }
        for p in publishing.publications(store_of(request), place_id)
    ]


@router.get(
    "/places/{place_id}/publications/{year}/{version}",
    summary="One published count, as it was published",
)
def api_publication(request: Request, place_id: str, year: str, version: int) -> dict[str, Any]:
    in_place(request, place_id, "view")
    found = publishing.publication(store_of(request), place_id, year, version)
    if found is None:
        raise HTTPException(status_code=404, detail="There is no such publication.")
    return {
        "version": found.version,
        "published_by": found.published_by,
        "published_at": found.published_at.isoformat(),
        "figures": found.figures,
        "returns": found.returns,
    }
