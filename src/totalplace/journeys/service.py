"""A place's journeys: added from a file or step by step, kept pseudonymised."""

from __future__ import annotations

import math
import tempfile
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from totalplace.core.lifecycle import Table, TablesOfPlace
from totalplace.core.problems import ImportRejected, NotFound, Problem
from totalplace.core.reference import gdp_deflator
from totalplace.core.store import audit as audit_store
from totalplace.core.store import base as store_base
from totalplace.core.store.db import Store
from totalplace.deleted import service as deleted_service
from totalplace.journeys.files.journeys import parse_journeys, write_journeys
from totalplace.journeys.files.swimlane import swimlane_svg
from totalplace.journeys.files.unitcosts import read_unit_costs, unit_costs
from totalplace.journeys.rules.journeys import OUTCOMES, Journey, JourneySummary, Step, summarise
from totalplace.journeys.rules.unitcosts import UnitCost
from totalplace.journeys.rules.unitcosts import uprate as uprate_amount
from totalplace.journeys.tables import JourneyRecord


def add_from_file(store: Store, place_id: str, content: bytes, file: str, actor: str) -> list[int]:
    """Read a journey file (all or nothing) and keep its journeys, names already gone."""
    journeys = parse_journeys(content, file, unit_costs(), gdp_deflator())
    ids = []
    with store.transaction() as session:
        for journey in journeys:
            record = JourneyRecord(
                place_id=place_id,
                journey_id=journey.journey_id,
                steps=[asdict(s) for s in journey.steps],
                person=journey.person,
                cohort_per_year=journey.cohort_per_year,
                price_year=journey.price_year,
                added_by=actor,
                added_at=store_base.now(),
            )
            session.add(record)
            session.flush()
            ids.append(record.id)
        audit_store.audit(
            session, actor, "add-journeys", place_id, {"file": file, "journeys": len(ids)}
        )
    return ids


def records(store: Store, place_id: str) -> list[JourneyRecord]:
    with store.sessions() as session:
        return list(
            session.scalars(
                select(JourneyRecord)
                .where(JourneyRecord.place_id == place_id)
                .order_by(JourneyRecord.id)
            )
        )


def as_journey(record: JourneyRecord) -> Journey:
    return Journey(
        record.journey_id,
        record.person,
        [Step(**s) for s in record.steps],  # type: ignore[arg-type]
        record.cohort_per_year,
        record.price_year,
    )


def _checked_step(fields: dict[str, str], number: int) -> Step:
    """A contact entered in the workspace; every field checked, each problem on its field."""
    problems = []

    def bad(column: str, message: str) -> None:
        problems.append(Problem("out-of-range", message, column=column))

    for column in ("agency", "service"):
        if not fields.get(column, "").strip():
            problems.append(Problem("blank-value", f"{column} is blank", column=column))
    outcome = fields.get("outcome", "")
    if outcome not in OUTCOMES:
        bad("outcome", f"choose one of {', '.join(OUTCOMES)}")
    numbers: dict[str, float] = {}
    for column in ("day", "wait_days", "cost_gbp"):
        text = fields.get(column, "").strip() or "0"
        try:
            numbers[column] = float(text.replace(",", "").replace("£", ""))
        except ValueError:
            problems.append(Problem("not-a-number", f"{text!r} is not a number", column=column))
            continue
        if not math.isfinite(numbers[column]):
            problems.append(Problem("not-a-number", f"{text!r} is not a number", column=column))
        elif numbers[column] < 0:
            bad(column, f"{text} is negative")
        elif column != "cost_gbp" and numbers[column] != int(numbers[column]):
            bad(column, f"{text} is not a whole number of days")
    if problems:
        raise ImportRejected(problems)
    return Step(
        number,
        fields["agency"].strip(),
        fields["service"].strip(),
        fields.get("channel", "").strip(),
        int(numbers["day"]),
        int(numbers["wait_days"]),
        outcome,
        numbers["cost_gbp"],
    )


def _record(session: Session, place_id: str, record_id: int) -> JourneyRecord:
    record = session.get(JourneyRecord, record_id)
    if record is None or record.place_id != place_id:
        raise NotFound("there is no such journey")
    return record


def add_step(
    store: Store, place_id: str, record_id: int, fields: dict[str, str], actor: str
) -> None:
    """One more contact, entered in the workspace; every field checked."""
    save_step(store, place_id, record_id, None, fields, actor)


def save_step(
    store: Store,
    place_id: str,
    record_id: int,
    number: int | None,
    fields: dict[str, str],
    actor: str,
) -> None:
    """A new step (no `number`), or the step with that number changed; audited."""
    checked = _checked_step(fields, 0)
    with store.transaction() as session:
        record = _record(session, place_id, record_id)
        numbers = [int(str(s["number"])) for s in record.steps]
        if number is not None and number not in numbers:
            raise NotFound(f"journey {record.journey_id} has no step {number}")
        kept = number if number is not None else max(numbers, default=0) + 1
        step = asdict(replace(checked, number=kept))
        if number is None:
            record.steps = [*record.steps, step]
        else:
            record.steps = [step if int(str(s["number"])) == number else s for s in record.steps]
        action = "add-journey-step" if number is None else "edit-journey-step"
        audit_store.audit(
            session, actor, action, place_id, {"journey": record.journey_id, "step": kept}
        )


def delete_step(store: Store, place_id: str, record_id: int, number: int, actor: str) -> None:
    with store.transaction() as session:
        record = _record(session, place_id, record_id)
        left = [s for s in record.steps if int(str(s["number"])) != number]
        if len(left) == len(record.steps):
            raise NotFound(f"journey {record.journey_id} has no step {number}")
        record.steps = left
        audit_store.audit(
            session,
            actor,
            "delete-journey-step",
            place_id,
            {"journey": record.journey_id, "step": number},
        )


def step_of(record: JourneyRecord, number: int) -> dict[str, object]:
    found = next((s for s in record.steps if int(str(s["number"])) == number), None)
    if found is None:
        raise NotFound(f"journey {record.journey_id} has no step {number}")
    return found


def delete_journey(store: Store, place_id: str, record_id: int, actor: str) -> None:
    """Set the journey aside for 30 days (Recently deleted), where it can be restored."""
    with store.transaction() as session:
        record = _record(session, place_id, record_id)
        deleted_service.set_aside(session, place_id, "journeys", record, record.journey_id, actor)


def start(
    store: Store, place_id: str, journey_id: str, person: str, cohort: str, actor: str
) -> int:
    """A new journey entered in the workspace, its steps to follow one by one."""
    from totalplace.journeys.files.journeys import pseudonym

    problems = []
    if not journey_id.strip():
        problems.append(Problem("blank-value", "journey_id is blank", column="journey_id"))
    if not person.strip():
        problems.append(
            Problem(
                "blank-value",
                "person is blank",
                column="person",
                fix="Write a name or a persona; it becomes a pseudonym.",
            )
        )
    try:
        people = float(cohort.strip() or "0")
    except ValueError:
        problems.append(
            Problem("not-a-number", f"{cohort!r} is not a number", column="cohort_per_year")
        )
        people = 0.0
    if problems:
        raise ImportRejected(problems)
    with store.transaction() as session:
        record = JourneyRecord(
            place_id=place_id,
            journey_id=journey_id.strip(),
            steps=[],
            person=pseudonym(journey_id.strip(), person),
            quotes=[],
            cohort_per_year=people,
            price_year=None,
            added_by=actor,
            added_at=store_base.now(),
        )
        session.add(record)
        session.flush()
        audit_store.audit(session, actor, "start-journey", place_id, {"journey": record.journey_id})
        return record.id


def cite(
    store: Store, place_id: str, record_id: int, history_name: str, quote_id: str, actor: str
) -> None:
    """A quote from the place's learning history that this journey bears out."""
    from totalplace.history import service as history

    project = history.load(store, f"{place_id}:{history_name}")
    if not any(q["id"] == quote_id for q in project["quotes"]):
        raise ImportRejected(
            [Problem("not-found", f"{history_name!r} has no quote {quote_id!r}", column="quote")]
        )
    with store.transaction() as session:
        record = session.get(JourneyRecord, record_id)
        if record is None or record.place_id != place_id:
            raise NotFound("there is no such journey")
        record.quotes = [*(record.quotes or []), {"history": history_name, "quote": quote_id}]
        audit_store.audit(
            session,
            actor,
            "cite-quote",
            place_id,
            {"journey": record.journey_id, "history": history_name, "quote": quote_id},
        )


def _check_stored_journey(record: dict[str, Any], file: str, number: int) -> None:
    """A journey in a place data package has steps and no names: pseudonymised on entry."""
    steps = record.get("steps")
    if not isinstance(steps, list) or not all(isinstance(s, dict) for s in steps):
        raise ImportRejected(
            [
                Problem(
                    "bad-record",
                    "steps must be a list of steps",
                    file=file,
                    row=number,
                    column="steps",
                )
            ]
        )


PLACE_DATA = TablesOfPlace(
    (
        Table(
            JourneyRecord,
            "journeys",
            "journeys.json",
            "place-data-package.md#journeys",
            check=_check_stored_journey,
        ),
    )
)


# What the doors show: these names are the pages' and commands' whole view of journeys.
__all__ = ["OUTCOMES", "JourneySummary", "summarise", "swimlane_svg"]


@dataclass(frozen=True)
class Summarised:
    journey: Journey
    summary: JourneySummary
    picture: str  # the swim-lane picture, SVG


def summarise_file(
    content: bytes,
    file: str,
    price_year: str | None = None,
    own_costs: tuple[bytes, str] | None = None,
) -> list[Summarised]:
    """Each journey of a file, summarised and drawn; a place's own unit costs (a CSV's
    bytes and name) are used beside the shipped library, and win where both have an id."""
    library = dict(unit_costs())
    if own_costs is not None:
        library.update(read_unit_costs(*own_costs))
    journeys = parse_journeys(content, file, library, gdp_deflator(), price_year)
    return [Summarised(j, summarise(j), swimlane_svg(j)) for j in journeys]


def export_file(content: bytes, file: str, price_year: str | None = None) -> bytes:
    """A journey file written back as CSV: pseudonyms only, costs in one price year."""
    journeys = parse_journeys(content, file, unit_costs(), gdp_deflator(), price_year)
    with tempfile.TemporaryDirectory(prefix="totalplace-journeys-") as folder:
        target = Path(folder) / "journeys.csv"
        write_journeys(journeys, target)
        return target.read_bytes()


def search_unit_costs(words: str, limit: int = 20) -> list[UnitCost]:
    wanted = words.lower().split()
    found = [
        u
        for u in unit_costs().values()
        if all(w in f"{u.item} {u.unit_cost_id}".lower() for w in wanted)
    ]
    return found[:limit]


def uprate(amount: float, from_year: str, to_year: str) -> float:
    """An amount moved between price years by the GDP deflator shipped with totalplace."""
    return uprate_amount(amount, from_year, to_year, gdp_deflator())
