"""Barriers to joint working: what a barrier is, its status workflow, what it blocks, and
the national roll-up of the same barrier raised by several places. Pure: no store, no files.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from totalplace.core.problems import Problem

KINDS: dict[str, str] = {
    "legislation": "Legislation",
    "funding": "Funding rules and ring-fences",
    "performance": "Performance and reporting regime",
    "data-sharing": "Data sharing",
    "accountability": "Accountability",
    "culture": "Culture",
}

STATUSES = ("raised", "escalated", "answered", "resolved", "declined")
# Each status and where it may go next: resolved and declined are final.
NEXT: dict[str, tuple[str, ...]] = {
    "raised": ("escalated", "declined"),
    "escalated": ("answered", "declined"),
    "answered": ("resolved", "declined", "escalated"),
    "resolved": (),
    "declined": (),
}

# What a barrier may say it blocks. Funding streams come from the deep dives; until those
# are in the store a stream is named by its own name and id, as text.
LINK_KINDS = ("case", "journey", "stream", "quote")

# The columns of a barriers file (docs/formats/barriers.md); links are written
# "case:Name; journey:J1; stream:ID|Name; quote:history/q3".
COLUMNS = (
    "title",
    "description",
    "kind",
    "owner",
    "rule",
    "raised_by_agency",
    "raised_by_person",
    "raised_on",
    "blocks",
)
REQUIRED = ("title", "kind", "owner", "raised_by_agency", "raised_on")


@dataclass(frozen=True)
class Step:
    status: str
    on: str  # ISO date
    reason: str
    by: str = ""


@dataclass(frozen=True)
class Link:
    kind: str  # one of LINK_KINDS
    ref: str  # a case's name, a journey's id, "history/quote", a stream's id
    label: str = ""  # a stream's name, as the deep dive calls it


@dataclass
class Barrier:
    tracking_number: str
    title: str
    description: str
    kind: str
    owner: str  # the national body that owns the rule
    rule: str  # the rule or regime it is about, as the owner names it
    raised_by_agency: str
    raised_by_person: str
    raised_on: str
    steps: list[Step] = field(default_factory=list)
    blocks: list[Link] = field(default_factory=list)

    @property
    def status(self) -> str:
        return self.steps[-1].status if self.steps else "raised"

    @property
    def kind_label(self) -> str:
        return KINDS.get(self.kind, self.kind)


def tracking_number(place_id: str, taken: Iterable[str]) -> str:
    """The next tracking number of the place, like TRAFFORD-B-003: never reused."""
    prefix = f"{place_id.upper()}-B-"
    numbers = [
        int(t[len(prefix) :]) for t in taken if t.startswith(prefix) and t[len(prefix) :].isdigit()
    ]
    return f"{prefix}{max(numbers, default=0) + 1:03d}"


def parse_date(text: str) -> date | None:
    text = text.strip()
    for pattern in (r"(\d{4})-(\d{2})-(\d{2})", r"(\d{2})/(\d{2})/(\d{4})"):
        found = re.fullmatch(pattern, text)
        if found:
            parts = [int(p) for p in found.groups()]
            year, month, day = parts if pattern.startswith(r"(\d{4})") else parts[::-1]
            try:
                return date(year, month, day)
            except ValueError:
                return None
    return None


def kind_of(text: str) -> str | None:
    """A kind from its code or its label, in any case."""
    folded = text.strip().casefold()
    for code, label in KINDS.items():
        if folded in (code, label.casefold()):
            return code
    return None


def parse_links(text: str) -> tuple[list[Link], list[str]]:
    """Links from "case:Name; journey:J1; stream:ID|Name; quote:history/q3"; the parts
    that are not links are returned for the problem message."""
    links, wrong = [], []
    for part in (p.strip() for p in text.split(";")):
        if not part:
            continue
        kind, _, ref = part.partition(":")
        kind = kind.strip().casefold()
        if kind not in LINK_KINDS or not ref.strip():
            wrong.append(part)
            continue
        ref, _, label = ref.partition("|") if kind == "stream" else (ref, "", "")
        if kind == "quote" and "/" not in ref:
            wrong.append(part)
            continue
        links.append(Link(kind, ref.strip(), label.strip()))
    return links, wrong


def links_text(links: Sequence[Link]) -> str:
    return "; ".join(
        f"{link.kind}:{link.ref}" + (f"|{link.label}" if link.label else "") for link in links
    )


def check_row(
    row: dict[str, str], file: str, number: int, sheet: str | None = None
) -> tuple[dict[str, Any] | None, list[Problem]]:
    """One row of a barriers file as the fields of a new barrier, or its problems."""
    problems = []

    def problem(column: str, message: str, code: str = "bad-barrier") -> None:
        problems.append(Problem(code, message, file=file, sheet=sheet, row=number, column=column))

    for column in REQUIRED:
        if not row.get(column, "").strip():
            problem(column, f"{column.replace('_', ' ')} is blank", "blank-value")
    kind = kind_of(row.get("kind", "")) if row.get("kind", "").strip() else None
    if row.get("kind", "").strip() and kind is None:
        problem("kind", f"{row['kind']!r} is not a kind of barrier")
    raised = parse_date(row.get("raised_on", "")) if row.get("raised_on", "").strip() else None
    if row.get("raised_on", "").strip() and raised is None:
        problem("raised_on", f"{row['raised_on']!r} is not a date", "bad-date")
    links, wrong = parse_links(row.get("blocks", ""))
    if wrong:
        problem("blocks", "not links: " + "; ".join(wrong))
    if len(row.get("title", "")) > 300:
        problem("title", "the title is longer than 300 characters")
    if problems:
        return None, problems
    return {
        "title": row["title"].strip(),
        "description": row.get("description", "").strip(),
        "kind": kind,
        "owner": row["owner"].strip(),
        "rule": row.get("rule", "").strip(),
        "raised_by_agency": row["raised_by_agency"].strip(),
        "raised_by_person": row.get("raised_by_person", "").strip(),
        "raised_on": raised.isoformat() if raised else "",
        "blocks": links,
    }, []


def move(barrier: Barrier, status: str, on: str, reason: str, by: str = "") -> Step:
    """The next step of the workflow; a step out of order, without its reason or before
    the last one's date is refused (ValueError, said for a person)."""
    if status not in STATUSES:
        raise ValueError(f"{status!r} is not a status: use one of {', '.join(STATUSES)}")
    allowed = NEXT[barrier.status]
    if status not in allowed:
        then = ", ".join(allowed) if allowed else "nothing: it is closed"
        raise ValueError(f"a barrier that is {barrier.status} can go to {then}")
    when = parse_date(on)
    if when is None:
        raise ValueError(f"{on!r} is not a date like 2026-04-30")
    last = barrier.steps[-1].on if barrier.steps else barrier.raised_on
    if last and when.isoformat() < last:
        raise ValueError(f"the date is before the barrier's last step ({last})")
    if not reason.strip():
        raise ValueError("say why: each step has its reason")
    return Step(status, when.isoformat(), reason.strip(), by)


def group_key(barrier: Barrier) -> tuple[str, str, str]:
    """The same barrier raised by two places: one kind, one owner, one rule (or title),
    written alike once case, punctuation and spacing are set aside."""

    def plain(text: str) -> str:
        return " ".join(re.findall(r"[a-z0-9]+", text.casefold()))

    return (barrier.kind, plain(barrier.owner), plain(barrier.rule or barrier.title))


@dataclass
class Grouped:
    key: tuple[str, str, str]
    title: str
    kind: str
    owner: str
    rule: str
    places: list[str]
    tracking_numbers: list[str]
    statuses: list[str]
    blocked_pence: int  # the present value of the cases it blocks, every place together


def roll_up(
    barriers: Sequence[tuple[str, Barrier, int]],
) -> list[Grouped]:
    """(place, barrier, present value it blocks in pence) from every place, grouped: the
    largest blocked value first, then the most places."""
    groups: dict[tuple[str, str, str], Grouped] = {}
    for place, barrier, blocked in barriers:
        key = group_key(barrier)
        group = groups.get(key)
        if group is None:
            group = groups[key] = Grouped(
                key, barrier.title, barrier.kind, barrier.owner, barrier.rule, [], [], [], 0
            )
        if place not in group.places:
            group.places.append(place)
        group.tracking_numbers.append(barrier.tracking_number)
        group.statuses.append(barrier.status)
        group.blocked_pence += blocked
    return sorted(groups.values(), key=lambda g: (-g.blocked_pence, -len(g.places), g.title))


def counted_by(groups: Sequence[Grouped], what: str) -> dict[str, int]:
    """How many barriers (each place's one) by owner or by kind."""
    out: dict[str, int] = {}
    for group in groups:
        name = group.owner if what == "owner" else KINDS.get(group.kind, group.kind)
        out[name] = out.get(name, 0) + len(group.tracking_numbers)
    return dict(sorted(out.items(), key=lambda item: (-item[1], item[0])))


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """A cell a spreadsheet will not run: text that starts like a formula gets a quote."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value
