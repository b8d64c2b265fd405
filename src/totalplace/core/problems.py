"""Problems and the one error root: each problem has a name, a message, where it is, and
how to fix it; every error a person can meet is a `TotalplaceError` carrying problems.

Every code here is documented in docs/formats/errors.md (a test checks it), and every door
shows a TotalplaceError the same way: the CLI prints its problems and exits 1; the web shows
them on the form or an error page, with the error's HTTP status; nothing matches message text.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import ClassVar

# code -> how to fix it, in general terms; a problem may add a specific fix.
PROBLEM_CODES: dict[str, str] = {
    "file-not-found": "Check the path and try again.",
    "file-unreadable": "Save the file again as CSV (UTF-8), XLSX or ODS and try again.",
    "unsupported-format": "Save the file as CSV, XLSX or ODS.",
    "file-too-large": "Split the file, or keep only the sheets and columns that are needed.",
    "sheet-too-large": "Delete the stray cells far from the table (Ctrl+End in Excel shows the "
    "last cell), or save the table alone as CSV.",
    "workbook-encrypted": "Save a copy without a password (File, Info, Protect Workbook).",
    "missing-resource": "Add the missing CSV file to the package, or name it in datapackage.json.",
    "missing-column": "Add the column, or map one of your columns to it with --mapping.",
    "duplicate-column": "Give each column a different header.",
    "reserved-column": "Rename the column; that name is used by totalplace itself.",
    "blank-value": "Fill the cell in, or remove the row if it is not a spend line.",
    "not-a-number": "Write the amount as a number such as 1234.56; £, commas and (1,234) are fine.",
    "too-many-decimals": "Amounts are in pounds and pence: round to two decimal places.",
    "amount-too-large": "Correct the amount: totalplace holds amounts up to "
    "£999,999,999,999,999.99.",
    "total-too-large": "The file's amounts add up to more than totalplace can hold: check for "
    "amounts in pence or with extra digits.",
    "out-of-range": "Correct the value so it is within the range given.",
    "not-an-integer": "Write a whole number, without decimals.",
    "bad-financial-year": "Write financial years as 2009-10.",
    "bad-date": "Write dates as 2026-04-30 or 30/04/2026.",
    "date-outside-year": "Check the date, or import the file for the financial year it belongs to.",
    "bad-boolean": "Write true or false.",
    "bad-spend-type": "Write revenue or capital.",
    "bad-cofog": "Use a COFOG code such as 07 or 07.3 (see docs/formats/reference.md).",
    "bad-sercop": "Use a SeRCOP division code such as ASC, or its name (docs/formats/reference.md)",
    "unknown-agency": "Add the agency to the place's agencies first, or correct the identifier.",
    "unknown-place": "Import the place's data package first, or correct the identifier.",
    "unknown-district": "Give an English district's GSS code (April 2021), e.g. E08000009.",
    "bad-peer-options": "Give weights from 0 to 100 (at least one above 0) and 1 to 30 neighbours.",
    "self-payment": "A payment to another agency must name a different agency.",
    "duplicate-key": "Each identifier may appear only once: remove or correct the repeated row.",
    "one-place-only": "A data package describes one place: split it into one package per place.",
    "bad-mapping": "Correct the mapping file (docs/formats/column-mapping.md).",
    "place-exists": "Use --replace to replace the place, or export it first to keep a copy.",
    "empty-return": "The file has no spend lines: check it is the right file.",
    "bad-game": "Correct the game file (docs/formats/game.md).",
    "bad-case": "Correct the case file (docs/formats/case.md).",
    "bad-model": "Correct the model file (docs/formats/model.md).",
    "not-found": "Check the name or number: nothing by that name is stored.",
    "national-year-not-held": "Choose a financial year the national sources hold (2017-18).",
    "bad-setting": "Correct the field named and save again.",
    "people-request": "Check the email address, role and agency, and try again.",
    "wrong-return-state": "Reload the returns page: the return has moved on since you opened it.",
    "cannot-uprate": "Give costs in one price year, or add your own unit costs in that year.",
    "sign-in-required": "Sign in first.",
    "write-conflict": "Reload the page and try again: someone else changed it a moment ago.",
    "bad-record": "Correct the record in the package's file (docs/formats/place-data-package.md).",
    "bad-tenure": "Write the tenure as freehold, leasehold, leased out or other "
    "(docs/formats/assets.md).",
    "not-an-estate-file": "Give an estate file totalplace reads (docs/formats/assets.md).",
    "unknown-site": "Name the place's sites by the ERIC site codes in the return's Site Code "
    "column.",
    "unknown-resource": "Remove the resource from datapackage.json, or check its name and path "
    "(docs/formats/place-data-package.md lists every resource).",
    "bad-rule-field": "Write one of service, cost_centre, expense_type, proclass, supplier, "
    "description or agency (the agency's default, with a blank service).",
    "ambiguous-amount": "Write every amount of the column the same way: 1,234.50 or 1.234,50.",
    "ragged-row": "Put amounts such as 1,000.00 in quotes, or write them without the comma.",
    "spreadsheet-error": "Correct the formula in your spreadsheet, or type the value in.",
    "duplicate-file": "Leave out the second copy: the same file counted twice doubles it.",
    "not-gbp": "Give the grants in pounds sterling, or leave out the grants in other currencies.",
    "not-a-grants-file": "Give a 360Giving file (JSON with a grants list, or CSV/XLSX with its "
    "headings), or use the flows template (docs/formats/funding-flows.md).",
    "unknown-theme": "Use one of the place's themes (totalplace deepdive themes PLACE --year FY "
    "lists them), or add the theme first (totalplace deepdive set-themes).",
    "bad-theme-field": "Write one of service, cost_centre, expense_type, supplier, description, "
    "proclass, sercop, cofog, funding_source or agency.",
    "bad-share": "Write the share as a number above 0, such as 1 or 0.35 (at most 10).",
    "bad-barrier": "Correct the barrier (docs/formats/barriers.md): a known kind, and links to "
    "what the place holds.",
    "barrier-transition": "Move the barrier to a status its workflow allows, with a date and "
    "a reason (docs/barriers.md).",
    "no-publication": "Publish the year's count first: a report shows published figures only.",
}


@dataclass(frozen=True)
class Problem:
    code: str
    message: str
    file: str | None = None
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    fix: str | None = None

    def __post_init__(self) -> None:
        if self.code not in PROBLEM_CODES:
            raise ValueError(f"undocumented problem code {self.code!r}")

    @property
    def how_to_fix(self) -> str:
        return self.fix or PROBLEM_CODES[self.code]

    @property
    def location(self) -> str:
        parts = []
        if self.file:
            parts.append(self.file)
        if self.sheet:
            parts.append(f"sheet {self.sheet!r}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column!r}")
        return ", ".join(parts)

    def __str__(self) -> str:
        where = f"{self.location}: " if self.location else ""
        stop = "" if self.message.endswith(("?", "!", ".")) else "."
        return f"{where}{self.message}{stop} {self.how_to_fix}"

    def as_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "file": self.file,
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "message": self.message,
            "fix": self.how_to_fix,
        }


@dataclass
class ProblemGroup:
    """One kind of problem: how often it happens, where, and its first few rows."""

    code: str
    count: int = 0
    columns: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    first: list[Problem] = field(default_factory=list)

    FIRST_ROWS = 5

    def take(self, problem: Problem) -> None:
        if problem.column and problem.column not in self.columns:
            self.columns.append(problem.column)
        if problem.file and problem.file not in self.files:
            self.files.append(problem.file)
        if len(self.first) < self.FIRST_ROWS:
            self.first.append(problem)

    @property
    def how_to_fix(self) -> str:
        return self.first[0].how_to_fix if self.first else PROBLEM_CODES[self.code]


def group_problems(problems: Iterable[Problem]) -> list[ProblemGroup]:
    groups: dict[str, ProblemGroup] = {}
    for problem in problems:
        group = groups.setdefault(problem.code, ProblemGroup(problem.code))
        group.count += 1
        group.take(problem)
    return list(groups.values())


def problems_csv(problems: Iterable[Problem]) -> str:
    """Every problem as CSV, for people to work through in a spreadsheet."""
    out = io.StringIO()
    writer = csv.writer(out)
    columns = ["code", "file", "sheet", "row", "column", "message", "fix"]
    writer.writerow(columns)
    for problem in problems:
        row = problem.as_dict()
        writer.writerow([_safe_cell(row[c]) for c in columns])
    return out.getvalue()


def _safe_cell(value: object) -> str:
    """A spreadsheet would run a cell starting with = + - @ as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


class TotalplaceError(Exception):
    """The root of every error a person may see: its problems say what was wrong, where
    (file, sheet, row, column or a field), and how to fix it; `status` is its HTTP status.

    Raise a subclass with a message (its class's `code` names the problem), or any
    TotalplaceError with a list of problems.
    """

    code: ClassVar[str] = "bad-record"
    status: ClassVar[int] = 400

    def __init__(
        self,
        message: str = "",
        *,
        problems: Iterable[Problem] | None = None,
        field: str | None = None,
        fix: str | None = None,
        total: int | None = None,
    ) -> None:
        if problems is None:
            problems = [Problem(self.code, message, column=field, fix=fix)]
        self.problems = list(problems)
        self.total = total if total is not None else len(self.problems)
        self.field = field if field is not None else self._first_column()
        super().__init__(message or self.summary())

    def _first_column(self) -> str | None:
        return self.problems[0].column if self.problems else None

    def summary(self) -> str:
        return "\n".join(str(p) for p in self.problems)

    def as_dict(self) -> dict[str, object]:
        return {
            "detail": self.summary(),
            "total": self.total,
            "problems": [p.as_dict() for p in self.problems],
        }


class NotFound(TotalplaceError):
    """What was asked for is not stored: a place, a case, a journey, a quote."""

    code: ClassVar[str] = "not-found"
    status: ClassVar[int] = 404


class ImportRejected(TotalplaceError):
    """Nothing was imported: the problems say what to fix. An import is all or nothing.

    `problems` holds the first ones (up to 50); `everything` up to 100,000 of them for a
    download; `groups` each kind once with its full count."""

    status: ClassVar[int] = 422

    def __init__(
        self,
        problems: Iterable[Problem],
        total: int | None = None,
        groups: list[ProblemGroup] | None = None,
        everything: list[Problem] | None = None,
    ) -> None:
        listed = list(problems)
        self.everything = everything if everything is not None else listed
        self.groups = groups if groups is not None else group_problems(listed)
        super().__init__(problems=listed, total=total)

    def summary(self) -> str:
        shown = "\n".join(f"- {p}" for p in self.problems)
        more = self.total - len(self.problems)
        tail = f"\n- … and {more} more problems of the same kinds" if more > 0 else ""
        return f"Nothing was imported: {self.total} problem(s) to fix first.\n{shown}{tail}"


class ProblemList:
    """Collects problems up to a limit, counting the rest, so a huge bad file stays readable;
    keeps up to `keep` of them for a download, and each kind's count and columns."""

    def __init__(self, limit: int = 50, keep: int = 100_000) -> None:
        self.limit = limit
        self.keep = keep
        self.items: list[Problem] = []
        self.kept: list[Problem] = []
        self.total = 0
        self._groups: dict[str, ProblemGroup] = {}
        self._counts: Counter[str] = Counter()

    def _take(self, problem: Problem) -> None:
        if len(self.items) < self.limit:
            self.items.append(problem)
        if len(self.kept) < self.keep:
            self.kept.append(problem)
        self._groups.setdefault(problem.code, ProblemGroup(problem.code)).take(problem)

    def add(self, problem: Problem) -> None:
        self.total += 1
        self._counts[problem.code] += 1
        self._take(problem)

    def add_count(self, problems: Iterable[Problem], total: int) -> None:
        """`problems` are the first of `total` problems, all of one kind."""
        listed = list(problems)
        for problem in listed:
            self._take(problem)
        if listed:
            self._counts[listed[0].code] += total
        self.total += total

    @property
    def groups(self) -> list[ProblemGroup]:
        for code, group in self._groups.items():
            group.count = self._counts[code]
        return list(self._groups.values())

    def __bool__(self) -> bool:
        return self.total > 0

    def raise_if_any(self) -> None:
        if self.total:
            raise ImportRejected(self.items, self.total, self.groups, self.kept)
