"""Import an agency's return (its spend for one year) from the files it has, and keep
its classification rules."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from hashlib import sha256
from pathlib import Path
from typing import Any, ClassVar

import polars as pl
from sqlalchemy.orm import Session

from totalplace.core.context import Report, default_actor, default_store, quiet
from totalplace.core.money import pence_to_pounds
from totalplace.core.problems import ImportRejected, Problem, ProblemList, TotalplaceError
from totalplace.core.reference import reference
from totalplace.core.spreadsheets import Sheet, decode, read_sheets
from totalplace.core.store import audit as audit_store
from totalplace.core.store.db import Store
from totalplace.core.years import year_bounds
from totalplace.count import tables as count_tables
from totalplace.count.files.lines import normalise_lines
from totalplace.count.files.returns import (
    ErrorCells,
    LeftOut,
    OutsideYear,
    ReadLines,
    ReadPlan,
    hidden_sheets,
    plan_sheets,
    read_rows,
    unread_zip_members,
    where_label,
    xlsx_error_cells,
)
from totalplace.count.files.returns import (
    canonical_year as canonical_year,
)
from totalplace.count.rules.classification import (
    MISSING_VALUES,
    RULE_FIELDS,
    Suggestion,
    is_cofog_code,
    normalise_cofog,
    suggest,
)
from totalplace.count.rules.count import classified
from totalplace.count.tables import Submission
from totalplace.places.service import queries as place_queries
from totalplace.places.service.packages import write_submissions

Confirm = Callable[[ReadPlan], bool]
RULE_FIELD_NAMES = {name for name, _label in RULE_FIELDS}


def _accept(_plan: ReadPlan) -> bool:
    return True


@dataclass(frozen=True)
class Unclassified:
    service: str | None
    lines: int
    pence: int
    suggestions: list[Suggestion]


@dataclass(frozen=True)
class YearImported:
    """One year's return made by an import (several when a file is split by year)."""

    financial_year: str
    version: int
    line_count: int
    total_pence: int
    submission_id: int | None


@dataclass
class ReturnImported:
    place_id: str
    agency_id: str
    financial_year: str
    version: int
    line_count: int
    total_pence: int
    mapping: dict[str, Any]
    submission_id: int | None = None
    notes: list[str] = field(default_factory=list)
    unclassified: list[Unclassified] = field(default_factory=list)
    left_out: list[LeftOut] = field(default_factory=list)
    years: list[YearImported] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "place_id": self.place_id,
            "agency_id": self.agency_id,
            "financial_year": self.financial_year,
            "version": self.version,
            "line_count": self.line_count,
            "total_gbp": pence_to_pounds(self.total_pence),
            "mapping": self.mapping,
            "notes": self.notes,
            "left_out": [row.as_dict() for row in self.left_out],
            "years": [
                {
                    "financial_year": y.financial_year,
                    "version": y.version,
                    "line_count": y.line_count,
                    "total_gbp": pence_to_pounds(y.total_pence),
                }
                for y in self.years
            ],
            "unclassified": [
                {
                    "service": u.service,
                    "lines": u.lines,
                    "gbp": pence_to_pounds(u.pence),
                    "suggestions": [
                        {"cofog": s.cofog, "sercop": s.sercop, "reason": s.reason}
                        for s in u.suggestions
                    ],
                }
                for u in self.unclassified
            ],
        }


@dataclass
class ReturnFiles:
    """The sheets of every file given, under the names people know them by."""

    sheets: list[Sheet]
    hidden: set[tuple[str, str]]
    sources: list[dict[str, str]]


def read_return_files(
    paths: Sequence[Path], problems: ProblemList, names: Sequence[str] | None = None
) -> ReturnFiles:
    """Every file's sheets; the same file given twice, or a zip member that cannot be
    read, is a problem that names it. `names` are the names the files were uploaded as."""
    shown = list(names) if names is not None else [p.name for p in paths]
    result = ReturnFiles(sheets=[], hidden=set(), sources=[])
    seen: dict[str, str] = {}
    for path, name in zip(paths, shown, strict=True):
        digest = _file_hash(path) if path.exists() else ""
        if digest and digest in seen:
            problems.add(
                Problem(
                    "duplicate-file",
                    f"{name} is the same file as {seen[digest]} (SHA-256 {digest[:12]}…)",
                    file=name,
                )
            )
            continue
        seen[digest] = name
        result.sources.append({"name": name, "sha256": digest})
        for sheet in read_sheets(path):
            label = name + sheet.file[len(path.name) :]
            result.sheets.append(Sheet(label, sheet.name, sheet.rows))
        result.hidden |= {(name, sheet) for sheet in hidden_sheets(path)}
        for problem in unread_zip_members(path, name):
            problems.add(problem)
    return result


def _error_cells_of(paths: Sequence[Path], files: ReturnFiles) -> ErrorCells:
    """Error cells of a workbook sheet, read once and only when asked for."""
    by_name = {source["name"]: path for source, path in zip(files.sources, paths, strict=False)}
    cache: dict[tuple[str, str | None], dict[tuple[int, int], str]] = {}

    def lookup(file: str, sheet: str | None) -> dict[tuple[int, int], str]:
        if (file, sheet) not in cache:
            path = by_name.get(file)
            cache[(file, sheet)] = (
                xlsx_error_cells(path, sheet) if path is not None and sheet else {}
            )
        return cache[(file, sheet)]

    return lookup


def _merged_mapping(
    given: dict[str, Any] | None, saved: dict[str, Any] | None
) -> dict[str, Any] | None:
    """A given mapping (a file, or the column check) wins; else the saved one. Either is
    merged with header recognition when the sheets are planned, never used alone."""
    return given if given is not None else saved


def plan_return(
    files: ReturnFiles,
    mapping: dict[str, Any] | None,
    problems: ProblemList,
    include_hidden: bool = False,
) -> ReadPlan:
    return plan_sheets(files.sheets, mapping, problems, files.hidden, include_hidden)


def saved_mapping_for(store: Store, place_id: str, agency_id: str) -> dict[str, Any] | None:
    with store.sessions() as session:
        return count_tables.column_mapping(session, place_id, agency_id)


def import_return(
    agency_id: str,
    files: Sequence[Path | str],
    financial_year: str,
    store: Store | None = None,
    place_id: str | None = None,
    mapping_file: Path | str | None = None,
    classification_file: Path | str | None = None,
    actor: str | None = None,
    confirm: Confirm = _accept,
    report: Report = quiet,
    draft: bool = False,
    include_hidden: bool = False,
    outside_year: OutsideYear = "refuse",
    names: Sequence[str] | None = None,
) -> ReturnImported | None:
    """Read the files as one return; store it as the agency's new version for the year.

    A draft (an agency's upload in the workspace) is counted only once an analyst accepts
    it; otherwise the new version is current at once. Returns None when `confirm`
    declines the recognised columns. All or nothing. Hidden sheets are left out unless
    `include_hidden`; lines dated outside the year are refused, left out and listed
    (`outside_year="leave-out"`) or imported as returns of their own years ("split").
    """
    store = default_store(store)
    actor = default_actor(actor)
    financial_year = canonical_year(financial_year)
    paths = [Path(f) for f in files]
    bounds = year_bounds(financial_year)
    with store.sessions() as session:
        place_id = _resolve_place(session, agency_id, place_id)
        agency_ids = [a.agency_id for a in place_queries.agencies(session, place_id)]
        saved_mapping = count_tables.column_mapping(session, place_id, agency_id)
    given = load_mapping(Path(mapping_file)) if mapping_file else None
    mapping = _merged_mapping(given, saved_mapping)
    problems = ProblemList()
    for path in paths:
        report(f"Reading {path.name}")
    read_files = read_return_files(paths, problems, names)
    plan = plan_return(read_files, mapping, problems, include_hidden)
    problems.raise_if_any()
    if mapping is None and not confirm(plan):
        return None
    report("Checking lines")
    read = read_rows(
        read_files.sheets,
        plan,
        financial_year,
        agency_id,
        bounds,
        problems,
        outside_year,
        _error_cells_of(paths, read_files),
    )
    rules = read_rules(Path(classification_file), problems) if classification_file else []
    problems.raise_if_any()
    if not read.line_count:
        raise ImportRejected(
            [
                Problem(
                    "empty-return",
                    "the files hold no spend lines" + (" inside the year" if read.left_out else ""),
                    file=read_files.sources[0]["name"] if read_files.sources else None,
                )
            ]
        )
    lines = normalise_lines(read.frame, agency_ids, reference(), problems)
    problems.raise_if_any()
    used_mapping = plan.mapping()
    notes = _notes(plan, read)
    years = sorted(set(lines["financial_year"].to_list()))
    report("Storing lines")
    written = write_submissions(
        store,
        place_id,
        lines,
        kind="return",
        source_files=read_files.sources,
        actor=actor,
        # Provenance: what was read, and every row deliberately left out.
        mapping={
            **used_mapping,
            "notes": notes,
            "left_out": [row.as_dict() for row in read.left_out],
        },
    )
    versions: dict[tuple[str, str], int] = {}
    try:
        # The versions are read and used under one lock for the agency, so two imports
        # for one agency at once get consecutive versions (decision 0501), for every year
        # a multi-year file is split into.
        with store.locked(
            f"submissions:{place_id}:{agency_id}",
            f"Someone else stored a {financial_year} return for {agency_id} a moment ago. "
            "Look at its returns, then import again if you still need to.",
        ) as session:
            for year in years:
                versions[(agency_id, year)] = count_tables.next_version(
                    session, place_id, agency_id, year
                )
                if not draft:
                    count_tables.supersede(session, place_id, agency_id, year)
            for submission in written:
                submission.version = versions[(agency_id, submission.financial_year)]
            for submission in written:
                if draft:
                    submission.status = "draft"
                session.add(submission)
            count_tables.save_column_mapping(session, place_id, agency_id, used_mapping, actor)
            for service, cofog, sercop, rule_field in rules:
                count_tables.set_classification_rule(
                    session, place_id, agency_id, service, cofog, sercop, actor, field=rule_field
                )
            audit_store.audit(
                session,
                actor,
                "import-return",
                place_id,
                {
                    "agency_id": agency_id,
                    "financial_year": financial_year,
                    "versions": {year: versions[(agency_id, year)] for year in years},
                    "files": read_files.sources,
                    "lines": lines.height,
                    "left_out": len(read.left_out),
                    "rules": len(rules),
                },
            )
    except Exception:
        for submission in written:
            store.lines.remove(submission.lines_file)
        raise
    with store.sessions() as session:
        known = count_tables.classification_frame(session, place_id)
    made = [
        YearImported(s.financial_year, s.version, s.line_count, s.total_pence, s.id)
        for s in sorted(written, key=lambda s: s.financial_year)
    ]
    main = next((y for y in made if y.financial_year == financial_year), made[0])
    return ReturnImported(
        place_id=place_id,
        agency_id=agency_id,
        financial_year=main.financial_year,
        version=main.version,
        submission_id=main.submission_id,
        line_count=lines.height,
        total_pence=int(lines["amount_pence"].sum()),
        mapping=used_mapping,
        notes=notes,
        unclassified=unclassified(lines, known),
        left_out=read.left_out,
        years=made,
    )


def _resolve_place(session: Any, agency_id: str, place_id: str | None) -> str:
    places = place_queries.places_with_agency(session, agency_id)
    if place_id is not None:
        if place_id not in places:
            raise ImportRejected(
                [Problem("unknown-agency", f"place {place_id!r} has no agency {agency_id!r}")]
            )
        return place_id
    if not places:
        raise ImportRejected(
            [Problem("unknown-agency", f"no stored place has an agency {agency_id!r}")]
        )
    if len(places) > 1:
        raise ImportRejected(
            [
                Problem(
                    "unknown-agency",
                    f"agency {agency_id!r} is in several places ({', '.join(places)})",
                    fix="Say which with --place.",
                )
            ]
        )
    return places[0]


def load_mapping(path: Path) -> dict[str, Any]:
    def bad(message: str) -> ImportRejected:
        return ImportRejected([Problem("bad-mapping", message, file=path.name)])

    if not path.exists():
        raise ImportRejected([Problem("file-not-found", f"{path} does not exist", file=path.name)])
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise bad(f"the mapping is not valid JSON ({exc})") from exc
    columns = data.get("columns") if isinstance(data, dict) else None
    if not isinstance(columns, dict) or "amount_gbp" not in columns:
        raise bad('the mapping needs "columns" with at least "amount_gbp"')
    normalised: dict[str, list[str]] = {}
    for name, headers in columns.items():
        listed = [headers] if isinstance(headers, str) else headers
        if not isinstance(listed, list) or not all(isinstance(h, str) for h in listed):
            raise bad(f"column {name!r} must name a header or a list of headers")
        normalised[name] = listed
    thousands = data.get("amounts_in_thousands")
    if thousands is not None and not isinstance(thousands, bool):
        raise bad('"amounts_in_thousands" must be true, false or null')
    return {"columns": normalised, "amounts_in_thousands": thousands}


def read_rules(path: Path, problems: ProblemList) -> list[tuple[str, str, str | None, str]]:
    """Classification rules: `service,cofog,sercop` (sercop optional), and optionally a
    `field` column naming what `service` is a value of (supplier, expense_type, ...;
    `agency` with a blank service for the agency's default)."""
    if not path.exists():
        problems.add(Problem("file-not-found", f"{path} does not exist", file=path.name))
        return []
    reader = csv.DictReader(io.StringIO(decode(path.read_bytes())))
    header = [h.strip() for h in reader.fieldnames or []]
    reader.fieldnames = header
    for column in ("service", "cofog"):
        if column not in header:
            problems.add(
                Problem(
                    "missing-column",
                    f"there is no {column!r} column",
                    file=path.name,
                    row=1,
                    column=column,
                    fix="Give the rules file a header row of service,cofog and, if you like, "
                    "sercop (docs/cli.md, totalplace classify).",
                )
            )
    if problems:
        return []
    ref = reference()
    rules = []
    for number, row in enumerate(reader, start=2):
        service = (row.get("service") or "").strip()
        rule_field = (row.get("field") or "service").strip() or "service"
        cofog = normalise_cofog(row.get("cofog") or "")
        sercop_text = (row.get("sercop") or "").strip()
        sercop = ref.sercop_code(sercop_text) if sercop_text else None
        problem: tuple[str, str, str] | None = None
        if rule_field not in RULE_FIELD_NAMES:
            problem = ("bad-rule-field", f"{rule_field!r} is not a column rules match", "field")
        elif not service and rule_field != "agency":
            problem = ("blank-value", "service is blank", "service")
        elif not (is_cofog_code(cofog) and cofog in ref.cofog):
            problem = ("bad-cofog", f"{row.get('cofog')!r} is not a COFOG code", "cofog")
        elif sercop_text and sercop is None:
            problem = ("bad-sercop", f"{sercop_text!r} is not a SeRCOP division", "sercop")
        if problem is not None:
            code, message, column = problem
            problems.add(Problem(code, message, file=path.name, row=number, column=column))
            continue
        rules.append(("" if rule_field == "agency" else service, cofog, sercop, rule_field))
    return rules


def classify(
    agency_id: str,
    rules_file: Path | str,
    store: Store | None = None,
    place_id: str | None = None,
    actor: str | None = None,
) -> int:
    store = default_store(store)
    actor = default_actor(actor)
    problems = ProblemList()
    rules = read_rules(Path(rules_file), problems)
    problems.raise_if_any()
    with store.transaction() as session:
        place_id = _resolve_place(session, agency_id, place_id)
        for service, cofog, sercop, rule_field in rules:
            count_tables.set_classification_rule(
                session, place_id, agency_id, service, cofog, sercop, actor, field=rule_field
            )
        audit_store.audit(
            session, actor, "classify", place_id, {"agency_id": agency_id, "rules": len(rules)}
        )
    return len(rules)


def unclassified(lines: pl.DataFrame, rules: pl.DataFrame | None) -> list[Unclassified]:
    """Service names whose lines no code and no rule classifies, biggest first. `NA`,
    `N/A`, `-` and blanks are no name: such lines are listed together under None."""
    return [
        Unclassified(row.value, row.lines, row.pence, row.suggestions)
        for row in unclassified_values(lines, rules, "service")
    ]


@dataclass(frozen=True)
class OpenValue:
    """One value of one column of an agency's unclassified lines."""

    agency_id: str
    value: str | None
    lines: int
    pence: int
    suggestions: list[Suggestion]


def unclassified_values(
    lines: pl.DataFrame, rules: pl.DataFrame | None, column: str
) -> list[OpenValue]:
    """The values of `column` among the lines still unclassified, by agency, biggest
    first; a missing value (blank, NA, N/A, -) is None."""
    if column not in lines.columns:
        lines = lines.with_columns(pl.lit(None, dtype=pl.String).alias(column))
    still = classified(lines.lazy(), rules).filter(pl.col("cofog").is_null())
    trimmed = pl.col(column).cast(pl.String).str.strip_chars()
    grouped = (
        still.with_columns(
            pl.when(trimmed.str.to_lowercase().is_in(list(MISSING_VALUES)))
            .then(None)
            .otherwise(trimmed)
            .alias("_value")
        )
        .group_by("agency_id", "_value")
        .agg(pl.len().alias("lines"), pl.col("amount_pence").sum().alias("pence"))
        .sort([pl.col("pence").abs(), "_value"], descending=[True, False], nulls_last=True)
        .collect()
    )
    ref = reference()
    return [
        OpenValue(
            agency,
            value,
            int(count),
            int(pence),
            suggest(value, ref) if value and column in ("service", "cost_centre") else [],
        )
        for agency, value, count, pence in grouped.iter_rows()
    ]


def _notes(plan: ReadPlan, read: ReadLines) -> list[str]:
    notes = []
    for part in plan.parts:
        unit = "; amounts in £000s" if part.thousands else ""
        comma = "; amounts use a decimal comma" if part.decimal_comma else ""
        notes.append(f"{part.label}: header on row {part.header_row}{unit}{comma}.")
    for sheet in plan.left_out:
        notes.append(f"Not read: {sheet}.")
    totals = [row for row in read.left_out if row.reason == "totals row"]
    if totals:
        listed = "; ".join(_left_out_text(row) for row in totals[:20])
        more = f"; and {len(totals) - 20} more" if len(totals) > 20 else ""
        notes.append(
            f"Left out {len(totals)} totals row(s), so nothing is counted twice: {listed}{more}."
        )
    outside = [row for row in read.left_out if row.reason != "totals row"]
    if outside:
        notes.append(
            f"Left out {len(outside):,} line(s) dated outside the year; each is listed "
            "with the return."
        )
    if read.rounded:
        notes.append(f"Rounded {read.rounded} amount(s) to the nearest penny.")
    return notes


def _left_out_text(row: LeftOut) -> str:
    where = where_label(row.file, row.sheet)
    amount = f" (£{row.amount})" if row.amount is not None else ""
    return f"{where} row {row.row}{amount}"


def left_out_csv(rows: Sequence[dict[str, object]]) -> str:
    """Rows left out of an import, as CSV for a download."""
    out = io.StringIO()
    writer = csv.writer(out)
    columns = ["file", "sheet", "row", "amount_gbp", "reason"]
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if row.get(c) is None else row.get(c) for c in columns])
    return out.getvalue()


def _file_hash(path: Path) -> str:
    return sha256(path.read_bytes()).hexdigest()


class ReturnStateError(TotalplaceError, ValueError):
    """A return cannot move to the state asked for; the message says why."""

    code: ClassVar[str] = "wrong-return-state"
    status: ClassVar[int] = 409


def _pending(session: Session, submission_id: int) -> Submission | None:
    return session.get(Submission, submission_id)


def submit_return(store: Store, submission_id: int, actor: str) -> None:
    """An agency sends its draft to the place's analysts; any older version still
    waiting is superseded by it, so nobody can accept the old one by mistake."""
    with store.transaction() as session:
        submission = _pending(session, submission_id)
        if submission is None or submission.status != "draft":
            raise ReturnStateError("Only a draft can be submitted.")
        for other in count_tables.submissions_for(
            session, submission.place_id, submission.agency_id, submission.financial_year
        ):
            if other.version < submission.version and other.status in ("draft", "submitted"):
                other.status = "superseded"
        submission.status = "submitted"
        submission.comment = None
        audit_store.audit(
            session,
            actor,
            "submit-return",
            submission.place_id,
            {"submission": submission_id, "agency_id": submission.agency_id},
        )


def accept_return(store: Store, submission_id: int, actor: str) -> None:
    """An analyst accepts a submitted return: it becomes the one the count uses. A
    version older than the one counted is superseded and cannot be accepted."""
    with store.transaction() as session:
        submission = _pending(session, submission_id)
        if submission is None or submission.status != "submitted":
            state = "superseded" if submission and submission.status == "superseded" else ""
            raise ReturnStateError(
                "This version is superseded by a newer one: open the newest version."
                if state
                else "Only a submitted return can be accepted."
            )
        newer = [
            s
            for s in count_tables.submissions_for(
                session, submission.place_id, submission.agency_id, submission.financial_year
            )
            if s.version > submission.version and s.status == "current"
        ]
        if newer:
            raise ReturnStateError(
                f"Version {newer[0].version} is newer and already counted: this version "
                "is superseded and cannot be accepted."
            )
        count_tables.supersede(
            session, submission.place_id, submission.agency_id, submission.financial_year
        )
        submission.status = "current"
        audit_store.audit(
            session,
            actor,
            "accept-return",
            submission.place_id,
            {"submission": submission_id, "agency_id": submission.agency_id},
        )


def send_back(store: Store, submission_id: int, actor: str, comment: str) -> None:
    """An analyst returns a submitted return to its agency, saying what to fix."""
    comment = comment.strip()
    if not comment:
        raise ReturnStateError("Say what the agency should fix before sending it back.")
    with store.transaction() as session:
        submission = _pending(session, submission_id)
        if submission is None or submission.status != "submitted":
            raise ReturnStateError("Only a submitted return can be sent back.")
        submission.status = "draft"
        submission.comment = comment[:2000]
        audit_store.audit(
            session,
            actor,
            "send-back-return",
            submission.place_id,
            {"submission": submission_id, "agency_id": submission.agency_id, "comment": comment},
        )


def withdraw_return(store: Store, submission_id: int, actor: str) -> None:
    """The agency takes back a submission before it is accepted: a draft again."""
    with store.transaction() as session:
        submission = _pending(session, submission_id)
        if submission is None or submission.status != "submitted":
            raise ReturnStateError("Only a submitted return, not yet accepted, can be withdrawn.")
        submission.status = "draft"
        audit_store.audit(
            session,
            actor,
            "withdraw-return",
            submission.place_id,
            {"submission": submission_id, "agency_id": submission.agency_id},
        )


def delete_draft(store: Store, submission_id: int, actor: str) -> None:
    """A draft was never counted: deleting it removes its lines too."""
    with store.transaction() as session:
        submission = _pending(session, submission_id)
        if submission is None or submission.status != "draft":
            raise ReturnStateError("Only a draft can be deleted; withdraw a submission first.")
        lines_file = submission.lines_file
        audit_store.audit(
            session,
            actor,
            "delete-draft-return",
            submission.place_id,
            {
                "submission": submission_id,
                "agency_id": submission.agency_id,
                "version": submission.version,
            },
        )
        session.delete(submission)
    store.lines.remove(lines_file)
