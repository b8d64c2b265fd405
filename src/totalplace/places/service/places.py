"""Managing a place in the workspace: its areas, populations, agencies and shares."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import ClassVar

from sqlalchemy.orm import Session

from totalplace.core.problems import TotalplaceError
from totalplace.core.store import audit as audit_store
from totalplace.core.store import base as store_base
from totalplace.core.store.db import Store
from totalplace.people import service as people
from totalplace.places import tables as place_tables
from totalplace.places.tables import Agency, Apportionment, Place, Population

_PLACE_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_AGENCY_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_GSS = re.compile(r"^[EWSN]\d{8}$")


class PlaceError(TotalplaceError, ValueError):
    """A change to a place that cannot be made: `field` says which form field is wrong."""

    code: ClassVar[str] = "bad-setting"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message, field=field)


def create_place(
    session: Session, place_id: str, name: str, gss_codes: str, lead_id: int, actor: str
) -> Place:
    place_id = place_id.strip().lower()
    if not _PLACE_ID.match(place_id):
        raise PlaceError("place_id", "Use lower-case letters, digits and dashes, like trafford.")
    if place_tables.get_place(session, place_id) is not None:
        raise PlaceError("place_id", f"There is already a place called {place_id}.")
    if not name.strip():
        raise PlaceError("name", "Enter the place's name.")
    codes = _codes(gss_codes)
    place = Place(
        place_id=place_id,
        name=name.strip(),
        gss_codes=";".join(codes),
        extras={},
        created_at=store_base.now(),
    )
    session.add(place)
    session.flush()
    people.grant(session, lead_id, place_id, "lead", None)
    audit_store.audit(
        session, actor, "create-place", place_id, {"name": place.name, "gss_codes": place.gss_codes}
    )
    return place


def _codes(text: str) -> list[str]:
    codes = [c.strip().upper() for c in re.split(r"[;,\s]+", text) if c.strip()]
    if not codes:
        raise PlaceError("gss_codes", "Enter at least one ONS GSS code, like E08000009.")
    for code in codes:
        if not _GSS.match(code):
            raise PlaceError("gss_codes", f"{code} is not a GSS code: a letter and 8 digits.")
    return codes


def set_areas(session: Session, place_id: str, gss_codes: str, actor: str) -> None:
    place = _place(session, place_id)
    place.gss_codes = ";".join(_codes(gss_codes))
    audit_store.audit(session, actor, "set-areas", place_id, {"gss_codes": place.gss_codes})


def set_population(
    session: Session, place_id: str, gss_code: str, year: str, population: str, actor: str
) -> None:
    _place(session, place_id)
    code = gss_code.strip().upper()
    if not _GSS.match(code):
        raise PlaceError("gss_code", f"{gss_code!r} is not a GSS code: a letter and 8 digits.")
    if not year.strip().isdigit() or not 1900 < int(year) < 2200:
        raise PlaceError("year", "Enter the mid-year as four digits, like 2009.")
    if not population.strip().replace(",", "").isdigit():
        raise PlaceError("population", "Enter the population as a whole number, like 237579.")
    people_count = int(population.strip().replace(",", ""))
    row = session.get(Population, (place_id, code, int(year)))
    if row is None:
        session.add(
            Population(
                place_id=place_id, gss_code=code, year=int(year), population=people_count, extras={}
            )
        )
    else:
        row.population = people_count
    audit_store.audit(
        session,
        actor,
        "set-population",
        place_id,
        {"gss_code": code, "year": int(year), "population": people_count},
    )


def add_agency(
    session: Session, place_id: str, agency_id: str, name: str, agency_type: str, actor: str
) -> None:
    _place(session, place_id)
    agency_id = agency_id.strip()
    if not _AGENCY_ID.match(agency_id):
        raise PlaceError("agency_id", "Use letters, digits and dashes, like nhs-trafford.")
    if session.get(Agency, (place_id, agency_id)) is not None:
        raise PlaceError("agency_id", f"The place has an agency {agency_id} already.")
    if not name.strip():
        raise PlaceError("name", "Enter the agency's name.")
    session.add(
        Agency(
            place_id=place_id,
            agency_id=agency_id,
            name=name.strip(),
            agency_type=agency_type.strip() or "other",
            extras={},
        )
    )
    audit_store.audit(session, actor, "add-agency", place_id, {"agency_id": agency_id})


def set_share(
    session: Session, place_id: str, agency_id: str, share: str, basis: str, source: str, actor: str
) -> None:
    if session.get(Agency, (place_id, agency_id)) is None:
        raise PlaceError("agency_id", "Choose one of the place's agencies.")
    try:
        value = Decimal(share.strip())
    except InvalidOperation:
        raise PlaceError("share", "Enter the share as a decimal from 0 to 1, like 0.25.") from None
    exponent = value.as_tuple().exponent
    if not (0 <= value <= 1) or (isinstance(exponent, int) and exponent < -12):
        raise PlaceError("share", "Enter a share from 0 to 1 with at most 12 decimal places.")
    row = session.get(Apportionment, (place_id, agency_id))
    if value == 1:
        if row is not None:
            session.delete(row)
    elif row is None:
        session.add(
            Apportionment(
                place_id=place_id,
                agency_id=agency_id,
                share=f"{value:f}",
                basis=basis.strip(),
                source=source.strip(),
                extras={},
            )
        )
    else:
        row.share, row.basis, row.source = f"{value:f}", basis.strip(), source.strip()
    audit_store.audit(
        session, actor, "set-share", place_id, {"agency_id": agency_id, "share": f"{value:f}"}
    )


def _place(session: Session, place_id: str) -> Place:
    place = place_tables.get_place(session, place_id)
    if place is None:
        raise PlaceError("place_id", f"There is no place {place_id}.")
    return place


def stored_places(store: Store) -> list[Place]:
    """Every place on this server, by identifier."""
    with store.sessions() as session:
        return place_tables.list_places(session)
