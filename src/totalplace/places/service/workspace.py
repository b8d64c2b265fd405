"""What the place's pages show and change, each call one unit of work: the pages call
these with plain data and never hold a database session themselves."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from totalplace.core.store.db import Store
from totalplace.count.service.queries import Submission, current_submissions
from totalplace.people import service as people
from totalplace.places import tables as place_tables
from totalplace.places.files.schemas import AGENCY_TYPES as AGENCY_TYPES
from totalplace.places.service import places as place_service


def my_places(store: Store, user_id: int) -> list[dict[str, Any]]:
    """The places a person belongs to, with their role (and agency) in each."""
    with store.sessions() as session:
        rows = []
        for member in people.memberships(session, user_id):
            place = place_tables.get_place(session, member.place_id)
            if place is not None:
                rows.append({"place": place, "role": member.role, "agency_id": member.agency_id})
        return rows


def create_place(
    store: Store, place_id: str, name: str, gss_codes: str, lead_id: int, actor: str
) -> None:
    with store.transaction() as session:
        place_service.create_place(session, place_id, name, gss_codes, lead_id, actor)


def years_with_returns(store: Store, place_id: str) -> list[str]:
    with store.sessions() as session:
        years = session.scalars(
            select(Submission.financial_year).where(Submission.place_id == place_id).distinct()
        )
        return sorted(set(years), reverse=True)


@dataclass(frozen=True)
class Overview:
    place: Any
    agencies: list[Any]
    members: list[Any]
    populations: list[Any]
    submissions: list[Any]  # the current returns of the chosen year
    waiting: list[Any]  # returns submitted and not yet accepted


def overview(store: Store, place_id: str, year: str | None) -> Overview:
    with store.sessions() as session:
        return Overview(
            place=place_tables.get_place(session, place_id),
            agencies=place_tables.agencies(session, place_id),
            members=people.members(session, place_id),
            populations=place_tables.populations(session, place_id),
            submissions=list(current_submissions(session, place_id, year)) if year else [],
            waiting=list(
                session.scalars(
                    select(Submission).where(
                        Submission.place_id == place_id, Submission.status == "submitted"
                    )
                )
            ),
        )


def settings(store: Store, place_id: str) -> dict[str, Any]:
    with store.sessions() as session:
        return {
            "place": place_tables.get_place(session, place_id),
            "agencies": place_tables.agencies(session, place_id),
            "populations": place_tables.populations(session, place_id),
            "shares": {a.agency_id: a for a in place_tables.apportionments(session, place_id)},
            "agency_types": AGENCY_TYPES,
        }


def change_setting(
    store: Store, place_id: str, what: str, form: dict[str, str], actor: str
) -> bool:
    """Apply one settings form (areas, population, agency or share); False when `what` is
    not one of them. A PlaceError names the field that is wrong."""
    actions: dict[str, Callable[[Session], None]] = {
        "areas": lambda s: place_service.set_areas(s, place_id, form.get("gss_codes", ""), actor),
        "population": lambda s: place_service.set_population(
            s,
            place_id,
            form.get("gss_code", ""),
            form.get("year", ""),
            form.get("population", ""),
            actor,
        ),
        "agency": lambda s: place_service.add_agency(
            s,
            place_id,
            form.get("agency_id", ""),
            form.get("name", ""),
            form.get("agency_type", ""),
            actor,
        ),
        "share": lambda s: place_service.set_share(
            s,
            place_id,
            form.get("agency_id", ""),
            form.get("share", ""),
            form.get("basis", ""),
            form.get("source", ""),
            actor,
        ),
    }
    if what not in actions:
        return False
    with store.transaction() as session:
        actions[what](session)
    return True
