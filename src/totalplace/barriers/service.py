"""A place's barriers to joint working: the register, its workflow, what each barrier
blocks (with the present value of the cases it stops), the national roll-up across the
places on this server, and the exports."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select

from totalplace.barriers import files
from totalplace.barriers.rules import (
    KINDS,
    NEXT,
    STATUSES,
    Barrier,
    Grouped,
    Link,
    Step,
    check_row,
    counted_by,
    links_text,
    move,
    roll_up,
    tracking_number,
)
from totalplace.barriers.tables import BarrierRow
from totalplace.core.lifecycle import Table, TablesOfPlace
from totalplace.core.money import format_gbp
from totalplace.core.problems import ImportRejected, NotFound, Problem
from totalplace.core.store import audit as audit_store
from totalplace.core.store import base as store_base
from totalplace.core.store.db import Store

# Loaded with the service: the places table, which the barriers and reports tables refer to.
from totalplace.places.service import places as place_service

MAX_BYTES = 2 * 1024 * 1024
# For the pages: the kinds, the next statuses, and links written as a file writes them.
KINDS_SHOWN = KINDS
NEXT_STATUSES = NEXT
write_links = links_text


def place_ids(store: Store) -> list[str]:
    return [p.place_id for p in place_service.stored_places(store)]


def _barrier(row: BarrierRow) -> Barrier:
    return Barrier(
        row.tracking_number,
        row.title,
        row.description,
        row.kind,
        row.owner,
        row.rule,
        row.raised_by_agency,
        row.raised_by_person,
        row.raised_on,
        [Step(**s) for s in row.steps],
        [Link(**b) for b in row.blocks],
    )


def barriers(store: Store, place_id: str) -> list[Barrier]:
    with store.sessions() as session:
        found = session.scalars(
            select(BarrierRow)
            .where(BarrierRow.place_id == place_id)
            .order_by(BarrierRow.tracking_number)
        )
        return [_barrier(r) for r in found]


def barrier(store: Store, place_id: str, number: str) -> Barrier:
    with store.sessions() as session:
        row = session.get(BarrierRow, (place_id, number))
        if row is None:
            raise NotFound(f"there is no barrier {number!r} in this place")
        return _barrier(row)


# ---- what a barrier blocks -------------------------------------------------------


@dataclass
class Blocked:
    """A link made readable: what it is, where it is in the workspace, what it is worth."""

    kind: str
    ref: str
    label: str
    href: str | None
    value_pence: int | None = None  # a case's present value
    text: str = ""  # a quote's words
    role: str = ""
    found: bool = True


@dataclass
class Sources:
    """What a place holds that a barrier may link to, read once for a page."""

    cases: dict[str, tuple[int, int]] = field(default_factory=dict)  # name -> (id, NPV pence)
    journeys: dict[str, int] = field(default_factory=dict)  # journey id -> record id
    quotes: dict[str, dict[str, Any]] = field(default_factory=dict)  # "history/q" -> quote


def sources(store: Store, place_id: str) -> Sources:
    from totalplace.cases.service import cases as case_service
    from totalplace.history import service as history
    from totalplace.journeys import service as journeys

    found = Sources()
    for row in case_service.cases(store, place_id):
        npv = case_service.appraisal_of(row).npv
        found.cases[row.name] = (row.id, round(npv * 100))
    for record in journeys.records(store, place_id):
        found.journeys[record.journey_id] = record.id
    for project in history.projects_of_place(store, place_id):
        name = str(project["name"]).removeprefix(f"{place_id}:")
        for quote in project["quotes"]:
            found.quotes[f"{name}/{quote['id']}"] = {**quote, "history": name}
    return found


def resolve(place_id: str, link: Link, held: Sources) -> Blocked:
    base = f"/places/{place_id}"
    if link.kind == "case":
        case = held.cases.get(link.ref)
        if case is None:
            return Blocked("case", link.ref, link.ref, None, found=False)
        return Blocked("case", link.ref, link.ref, f"{base}/cases/{case[0]}", case[1])
    if link.kind == "journey":
        record = held.journeys.get(link.ref)
        href = None if record is None else f"{base}/journeys/{record}"
        return Blocked("journey", link.ref, link.ref, href, found=record is not None)
    if link.kind == "quote":
        quote = held.quotes.get(link.ref)
        # Only approved words are evidence: a quote not yet approved is not shown.
        if quote is None or not quote.get("approved"):
            return Blocked("quote", link.ref, link.ref, None, found=False)
        return Blocked(
            "quote",
            link.ref,
            link.ref,
            f"{base}/history/{quote['history']}#{quote['id']}",
            text=str(quote["text"]),
            role=str(quote.get("role") or "Participant"),
        )
    # Funding streams come from the deep dives, not yet in the store: named as given.
    return Blocked("stream", link.ref, link.label or link.ref, None)


@dataclass
class Shown:
    barrier: Barrier
    blocks: list[Blocked]

    @property
    def blocked_pence(self) -> int:
        return sum(b.value_pence or 0 for b in self.blocks if b.kind == "case")


def register(store: Store, place_id: str) -> list[Shown]:
    held = sources(store, place_id)
    return [
        Shown(b, [resolve(place_id, link, held) for link in b.blocks])
        for b in barriers(store, place_id)
    ]


def blocked_value(store: Store, place_id: str) -> dict[str, int]:
    """Each barrier's blocked present value, in pence, by tracking number."""
    return {s.barrier.tracking_number: s.blocked_pence for s in register(store, place_id)}


# ---- adding and changing ---------------------------------------------------------


def _check_links(fields: dict[str, Any], held: Sources, problem: Any) -> None:
    for link in fields["blocks"]:
        if link.kind == "case" and link.ref not in held.cases:
            problem(f"there is no business case {link.ref!r} in this place")
        elif link.kind == "journey" and link.ref not in held.journeys:
            problem(f"there is no journey {link.ref!r} in this place")
        elif link.kind == "quote":
            quote = held.quotes.get(link.ref)
            if quote is None:
                problem(f"there is no quote {link.ref!r} in this place's learning histories")
            elif not quote.get("approved"):
                problem(f"the quote {link.ref!r} is not approved for publication yet")


def check_file(store: Store, place_id: str, content: bytes, filename: str) -> list[dict[str, Any]]:
    """Every row of a barriers file, checked against the place: all or nothing."""
    if len(content) > MAX_BYTES:
        raise ImportRejected(
            [Problem("file-too-large", "a barriers file is at most 2 MB", file=filename)]
        )
    rows = files.read_rows(content, filename)
    if not rows:
        raise ImportRejected(
            [
                Problem(
                    "empty-return",
                    "the file has no barriers below its headers",
                    file=filename,
                    fix="Add one barrier a row below the headers (docs/formats/barriers.md).",
                )
            ]
        )
    held = sources(store, place_id)
    problems: list[Problem] = []
    out = []
    for row in rows:
        fields, found = check_row(row.values, filename, row.number, row.sheet)
        problems.extend(found)
        if fields is None:
            continue

        def problem(message: str, number: int = row.number, sheet: str | None = row.sheet) -> None:
            problems.append(
                Problem(
                    "bad-barrier",
                    message,
                    file=filename,
                    sheet=sheet,
                    row=number,
                    column="blocks",
                )
            )

        _check_links(fields, held, problem)
        out.append(fields)
    if problems:
        raise ImportRejected(problems)
    return out


def _add(session: Any, place_id: str, fields: dict[str, Any], actor: str) -> str:
    taken = session.scalars(
        select(BarrierRow.tracking_number).where(BarrierRow.place_id == place_id)
    ).all()
    number = tracking_number(place_id, taken)
    session.add(
        BarrierRow(
            place_id=place_id,
            tracking_number=number,
            title=fields["title"],
            description=fields["description"],
            kind=fields["kind"],
            owner=fields["owner"],
            rule=fields["rule"],
            raised_by_agency=fields["raised_by_agency"],
            raised_by_person=fields["raised_by_person"],
            raised_on=fields["raised_on"],
            steps=[asdict(Step("raised", fields["raised_on"], "Raised by the place", actor))],
            blocks=[asdict(link) for link in fields["blocks"]],
            added_by=actor,
            added_at=store_base.now(),
        )
    )
    session.flush()
    return number


def add_from_file(
    store: Store, place_id: str, content: bytes, filename: str, actor: str
) -> list[str]:
    """Add every barrier of the file, each with a new tracking number; all or nothing."""
    checked = check_file(store, place_id, content, filename)
    return add_checked(store, place_id, checked, filename, actor)


def add_checked(
    store: Store, place_id: str, checked: list[dict[str, Any]], filename: str, actor: str
) -> list[str]:
    with store.locked(
        f"barriers:{place_id}",
        "Someone else added barriers a moment ago. Look at the register, then try again.",
    ) as session:
        numbers = [_add(session, place_id, fields, actor) for fields in checked]
        audit_store.audit(
            session, actor, "add-barriers", place_id, {"file": filename, "barriers": numbers}
        )
    return numbers


def form_fields(store: Store, place_id: str, form: dict[str, str]) -> dict[str, Any]:
    """A barrier from the web form, checked like a row of a file; problems name fields."""
    fields, problems = check_row(form, "", 0)
    problems = [Problem(p.code, p.message, column=p.column) for p in problems]
    if fields is not None:
        held = sources(store, place_id)

        def problem(message: str) -> None:
            problems.append(Problem("bad-barrier", message, column="blocks"))

        _check_links(fields, held, problem)
    if problems or fields is None:
        raise ImportRejected(problems)
    return fields


def add_barrier(store: Store, place_id: str, form: dict[str, str], actor: str) -> str:
    return add_checked(store, place_id, [form_fields(store, place_id, form)], "form", actor)[0]


def edit_barrier(
    store: Store, place_id: str, number: str, form: dict[str, str], actor: str
) -> None:
    """Change what the barrier says; its tracking number and its steps stay."""
    fields = form_fields(store, place_id, form)
    with store.transaction() as session:
        row = session.get(BarrierRow, (place_id, number))
        if row is None:
            raise NotFound(f"there is no barrier {number!r} in this place")
        for name in ("title", "description", "kind", "owner", "rule", "raised_by_agency"):
            setattr(row, name, fields[name])
        row.raised_by_person = fields["raised_by_person"]
        row.blocks = [asdict(link) for link in fields["blocks"]]
        if not row.steps or row.steps[0]["on"] >= fields["raised_on"]:
            row.raised_on = fields["raised_on"]
        audit_store.audit(session, actor, "edit-barrier", place_id, {"barrier": number})


def change_status(
    store: Store, place_id: str, number: str, status: str, on: str, reason: str, actor: str
) -> Barrier:
    """The next step of the barrier's workflow, with its reason and date."""
    with store.transaction() as session:
        row = session.get(BarrierRow, (place_id, number))
        if row is None:
            raise NotFound(f"there is no barrier {number!r} in this place")
        try:
            step = move(_barrier(row), status, on, reason, actor)
        except ValueError as exc:
            raise ImportRejected(
                [Problem("barrier-transition", str(exc), column="status")]
            ) from exc
        row.steps = [*row.steps, asdict(step)]
        audit_store.audit(
            session,
            actor,
            "barrier-status",
            place_id,
            {"barrier": number, "status": status, "on": step.on},
        )
        return _barrier(row)


# ---- the national roll-up ----------------------------------------------------------


@dataclass
class National:
    groups: list[Grouped]
    by_owner: dict[str, int]
    by_kind: dict[str, int]
    places: list[str]


def national(store: Store, place_ids: list[str] | None = None) -> National:
    """The same barrier from several places grouped, by owner and kind, with the value
    it blocks; every place on the server, or those given (the ones a person may see)."""
    chosen = [p.place_id for p in place_service.stored_places(store)]
    if place_ids is not None:
        chosen = [p for p in chosen if p in set(place_ids)]
    items = []
    for place_id in chosen:
        for shown in register(store, place_id):
            items.append((place_id, shown.barrier, shown.blocked_pence))
    groups = roll_up(items)
    return National(groups, counted_by(groups, "owner"), counted_by(groups, "kind"), chosen)


# ---- exports -----------------------------------------------------------------------

HEADER = [
    "tracking_number",
    "title",
    "description",
    "kind",
    "owner",
    "rule",
    "raised_by_agency",
    "raised_by_person",
    "raised_on",
    "status",
    "status_on",
    "status_reason",
    "blocks",
    "blocked_present_value_gbp",
]


def _register_rows(shown: list[Shown]) -> list[list[Any]]:
    from totalplace.core.money import pence_to_pounds

    out = []
    for item in shown:
        b = item.barrier
        last = b.steps[-1] if b.steps else Step("raised", b.raised_on, "")
        out.append(
            [
                b.tracking_number,
                b.title,
                b.description,
                b.kind,
                b.owner,
                b.rule,
                b.raised_by_agency,
                b.raised_by_person,
                b.raised_on,
                b.status,
                last.on,
                last.reason,
                links_text(b.blocks),
                pence_to_pounds(item.blocked_pence),
            ]
        )
    return out


def export(store: Store, place_id: str, kind: str) -> bytes:
    """The register as CSV or XLSX; cells that look like formulas are made text."""
    rows = _register_rows(register(store, place_id))
    if kind == "xlsx":
        return files.to_xlsx("Barriers", HEADER, rows)
    return files.to_csv(HEADER, rows)


NATIONAL_HEADER = [
    "title",
    "kind",
    "owner",
    "rule",
    "places",
    "place_count",
    "tracking_numbers",
    "statuses",
    "blocked_present_value_gbp",
]


def export_national(national_view: National, kind: str) -> bytes:
    from totalplace.core.money import pence_to_pounds

    rows = [
        [
            g.title,
            g.kind,
            g.owner,
            g.rule,
            "; ".join(g.places),
            len(g.places),
            "; ".join(g.tracking_numbers),
            "; ".join(g.statuses),
            pence_to_pounds(g.blocked_pence),
        ]
        for g in national_view.groups
    ]
    if kind == "xlsx":
        return files.to_xlsx("National roll-up", NATIONAL_HEADER, rows)
    return files.to_csv(NATIONAL_HEADER, rows)


def letter(store: Store, place_id: str, kind: str, numbers: list[str] | None = None) -> bytes:
    """A letter-ready document of the place's open barriers (or those named): DOCX or PDF."""
    place = next((p for p in place_service.stored_places(store) if p.place_id == place_id), None)
    if place is None:
        raise NotFound(f"there is no place {place_id!r}")
    chosen = [
        s
        for s in register(store, place_id)
        if (numbers is None and s.barrier.status not in ("resolved", "declined"))
        or (numbers is not None and s.barrier.tracking_number in numbers)
    ]
    items = []
    for shown in chosen:
        b = shown.barrier
        blocks = []
        for block in shown.blocks:
            if not block.found:
                continue
            if block.kind == "case":
                value = format_gbp(block.value_pence or 0)
                blocks.append(f"Business case {block.label}: present value {value}")
            elif block.kind == "quote":
                blocks.append(f"\u201c{block.text}\u201d ({block.role})")
            else:
                blocks.append(f"{block.kind.title()} {block.label}")
        items.append(
            {
                "tracking": b.tracking_number,
                "title": b.title,
                "owner": b.owner,
                "kind": b.kind_label,
                "status": b.status,
                "text": b.description,
                "blocks": blocks,
            }
        )
    document = files.Letter(
        place.name, f"Barriers to joint working in {place.name}", date.today(), items
    )
    return files.letter_pdf(document) if kind == "pdf" else files.letter_docx(document)


def _check_stored(record: dict[str, Any], file: str, number: int) -> None:
    """A barrier in a place data package: a known kind, steps in the workflow's statuses."""
    problems = []
    if record.get("kind") not in KINDS:
        problems.append(
            Problem(
                "bad-barrier",
                f"{record.get('kind')!r} is not a kind of barrier",
                file=file,
                row=number,
                column="kind",
            )
        )
    steps = record.get("steps")
    if not isinstance(steps, list) or not all(
        isinstance(s, dict) and s.get("status") in STATUSES for s in steps
    ):
        problems.append(
            Problem(
                "bad-barrier",
                "each step needs a status of the workflow",
                file=file,
                row=number,
                column="steps",
            )
        )
    if not isinstance(record.get("blocks"), list):
        problems.append(
            Problem(
                "bad-barrier",
                "blocks must be a list of links",
                file=file,
                row=number,
                column="blocks",
            )
        )
    if problems:
        raise ImportRejected(problems)


PLACE_DATA = TablesOfPlace(
    (
        Table(
            BarrierRow,
            "barriers",
            "barriers.json",
            "barriers.md",
            check=_check_stored,
        ),
    )
)


# ---- the demo place ------------------------------------------------------------------

DEMO_NOTE = "Illustrative: written for the demo, not raised by Trafford's agencies."


def demo_register(store: Store, place_id: str, actor: str = "totalplace demo") -> list[str]:
    """Three illustrative barriers, linked to whatever the place holds (its first case
    and journey, if any), the first escalated to its owner."""
    held = sources(store, place_id)
    case = [Link("case", name) for name in list(held.cases)[:1]]
    journey = [Link("journey", j) for j in list(held.journeys)[:1]]
    approved = [Link("quote", k) for k, q in held.quotes.items() if q.get("approved")][:1]
    rows = [
        {
            "title": "A ring-fenced grant stops pooling for troubled families",
            "description": f"{DEMO_NOTE} The grant's conditions require it to be spent and "
            "reported on its own, so it cannot join the place's pooled budget for family "
            "support.",
            "kind": "funding",
            "owner": "Department for Levelling Up, Housing and Communities",
            "rule": "Troubled Families grant conditions",
            "raised_by_agency": "Trafford Council",
            "raised_by_person": "Programme lead",
            "raised_on": "2017-06-01",
            "blocks": [Link("stream", "TF-GRANT", "Troubled Families grant"), *case, *approved],
        },
        {
            "title": "A performance regime counts visits, not outcomes",
            "description": f"{DEMO_NOTE} Each agency is measured on its own contacts, so a "
            "joined-up service that needs fewer contacts looks like worse performance.",
            "kind": "performance",
            "owner": "Home Office",
            "rule": "Police performance indicators on attendance",
            "raised_by_agency": "Greater Manchester Police",
            "raised_by_person": "Analyst",
            "raised_on": "2017-07-15",
            "blocks": journey,
        },
        {
            "title": "Data about families may not be shared between agencies",
            "description": f"{DEMO_NOTE} Agencies read the data protection rules as "
            "forbidding them to share who they work with, so no one sees the whole family.",
            "kind": "data-sharing",
            "owner": "Information Commissioner's Office",
            "rule": "Data sharing between public bodies",
            "raised_by_agency": "Trafford Council",
            "raised_by_person": "Analyst",
            "raised_on": "2017-08-01",
            "blocks": case,
        },
    ]
    numbers = add_checked(store, place_id, rows, "demo", actor)
    change_status(
        store,
        place_id,
        numbers[0],
        "escalated",
        "2017-09-01",
        "Sent to the department's Total Place lead",
        actor,
    )
    return numbers
