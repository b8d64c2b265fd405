"""The JSON API: the same operations for scripts, described at /openapi.json."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request

from totalplace.core.money import pence_to_pounds
from totalplace.core.web.security import (
    Viewer,
    check_csrf,
    csrf_token,
    in_place,
    signed_in,
    store_of,
)
from totalplace.count.service import publishing, views
from totalplace.count.service import returns as return_service
from totalplace.count.web.count import checked_year, live_figures
from totalplace.count.web.returns import move_return, return_in_place
from totalplace.people import service as people
from totalplace.places.service import queries as place_queries

router = APIRouter(prefix="/api", tags=["api"])


@router.get("/places", summary="The places you belong to, with your role in each")
def api_places(request: Request) -> list[dict[str, Any]]:
    viewer = signed_in(request)
    with store_of(request).sessions() as session:
        out = []
        for member in people.memberships(session, viewer.id):
            place = place_queries.get_place(session, member.place_id)
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
    answer: dict[str, Any] = views.pounds_as_numbers(live_figures(request, place_id, year))
    return answer


@router.get("/places/{place_id}/publications", summary="Published counts of the place")
def api_publications(request: Request, place_id: str) -> list[dict[str, Any]]:
    viewer = in_place(request, place_id, "view")
    return [
        _who_published(
            viewer,
            p.published_by,
            {
                "financial_year": p.financial_year,
                "version": p.version,
                "published_at": p.published_at.isoformat(),
                "total_gbp": views.pounds_as_numbers({"gbp": p.figures["total_gbp"]})["gbp"],
            },
        )
        for p in publishing.publications(store_of(request), place_id)
    ]


# What each role sees of the returns behind a publication. Nobody sees where the
# server keeps line files; email addresses only those who read every return in the
# place, and a contributor its own agency's uploader.
_RETURN_FIELDS_FOR_ALL = ("agency_id", "version", "line_count", "total_pence", "lines_sha256")
_RETURN_FIELDS_FOR_ANALYSTS = (*_RETURN_FIELDS_FOR_ALL, "submission_id", "uploaded_by")


def _who_published(viewer: Viewer, email: str, record: dict[str, Any]) -> dict[str, Any]:
    if viewer.can("analyse"):
        return {**record, "published_by": email}
    return record


def _return_as_seen_by(viewer: Viewer, record: dict[str, object]) -> dict[str, object]:
    fields: tuple[str, ...] = _RETURN_FIELDS_FOR_ALL
    if viewer.can("analyse"):
        fields = _RETURN_FIELDS_FOR_ANALYSTS
    elif viewer.role == "contributor" and record.get("agency_id") == viewer.agency_id:
        fields = (*_RETURN_FIELDS_FOR_ALL, "uploaded_by")
    return {name: record[name] for name in fields if name in record}


@router.get(
    "/places/{place_id}/publications/{year}/{version}",
    summary="One published count, as it was published",
)
def api_publication(request: Request, place_id: str, year: str, version: int) -> dict[str, Any]:
    viewer = in_place(request, place_id, "view")
    found = publishing.publication(store_of(request), place_id, year, version)
    if found is None:
        raise HTTPException(status_code=404, detail="There is no such publication.")
    return _who_published(
        viewer,
        found.published_by,
        {
            "version": found.version,
            "published_at": found.published_at.isoformat(),
            "figures": views.pounds_as_numbers(found.figures),
            "returns": [_return_as_seen_by(viewer, r) for r in found.returns],
        },
    )


def _csrf_header(request: Request) -> None:
    """A write through the API carries the session's CSRF token in a header."""
    check_csrf(request, request.headers.get("X-CSRF-Token"))


@router.get("/session", summary="Who you are, and the CSRF token for API writes")
def api_session(request: Request) -> dict[str, Any]:
    viewer = signed_in(request)
    return {"email": viewer.email, "name": viewer.name, "csrf_token": csrf_token(request)}


@router.get("/places/{place_id}/returns", summary="Return versions (a contributor's own agency)")
def api_returns(request: Request, place_id: str, year: str | None = None) -> list[dict[str, Any]]:
    viewer = in_place(request, place_id, "upload")
    own = viewer.agency_id if viewer.role == "contributor" else None
    rows = views.returns_of(store_of(request), place_id, year, own)
    return [
        {
            "id": s.id,
            "agency_id": s.agency_id,
            "financial_year": s.financial_year,
            "version": s.version,
            "status": s.status,
            "line_count": s.line_count,
            "total_gbp": float(pence_to_pounds(s.total_pence)),
            "uploaded_by": s.uploaded_by,
            "lines_sha256": s.lines_sha256,
        }
        for s in rows
    ]


@router.post(
    "/places/{place_id}/returns/{submission_id}/submit",
    summary="Submit a draft return to the place's analysts",
)
def api_submit(request: Request, place_id: str, submission_id: int) -> dict[str, Any]:
    viewer, submission = return_in_place(request, place_id, submission_id)
    if not viewer.can_upload_for(submission.agency_id):
        raise HTTPException(status_code=403, detail="Only the agency's own people submit it.")
    _csrf_header(request)
    move_return(request, return_service.submit_return, submission, viewer)
    return {"id": submission_id, "status": "submitted"}


@router.post(
    "/places/{place_id}/returns/{submission_id}/accept",
    summary="Accept a submitted return into the count",
)
def api_accept(request: Request, place_id: str, submission_id: int) -> dict[str, Any]:
    viewer, submission = return_in_place(request, place_id, submission_id, "publish")
    _csrf_header(request)
    move_return(request, return_service.accept_return, submission, viewer)
    return {"id": submission_id, "status": "current"}


@router.post(
    "/places/{place_id}/count/{year}/publish", summary="Publish the count as a new version"
)
def api_publish(request: Request, place_id: str, year: str) -> dict[str, Any]:
    viewer = in_place(request, place_id, "publish")
    _csrf_header(request)
    made = publishing.publish(store_of(request), place_id, checked_year(year), viewer.email)
    answer: dict[str, Any] = views.pounds_as_numbers(
        {"financial_year": year, "version": made.version, "total_gbp": made.figures["total_gbp"]}
    )
    return answer
