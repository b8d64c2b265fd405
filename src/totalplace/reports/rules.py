"""A place's report as data: sections of narrative, figures each with its source, tables
and the charts drawn from them, and participants' words. Pure: the service gathers the
material; the files write it; these rules say what a report is and how two compare.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from html import escape
from typing import Any

from totalplace.core.money import format_gbp, pounds_to_pence

STAGES = ("interim", "final")

# Where a figure comes from: counted, estimated top-down, or projected (a forecast or a
# figure scaled beyond what was counted, which always says its method).
BASES = ("actual", "estimate", "projected", "count")

# The report's sections, in order. A section is made by the service's builder of the same
# key; one more (the deep dives) is a line here and a builder there.
SECTIONS: tuple[tuple[str, str], ...] = (
    ("count", "What the place spends"),
    ("deepdive", "Funding streams"),
    ("journeys", "Journeys and the cost of failure"),
    ("cases", "Business cases and the sharing of savings"),
    ("estate", "The public estate"),
    ("barriers", "Barriers to joint working"),
    ("voices", "In participants' own words"),
)

# Which quotes sit beside which section: words a quote's themes or section may hold.
SECTION_WORDS: dict[str, tuple[str, ...]] = {
    "count": ("count", "money", "spend", "budget", "pool"),
    "journeys": ("journey", "citizen", "customer", "failure", "service"),
    "cases": ("case", "saving", "invest", "share"),
    "estate": ("estate", "building", "asset", "property"),
    "deepdive": ("stream", "fund", "grant", "theme", "ring-fence"),
    "barriers": ("barrier", "whitehall", "ring", "rule", "government", "national"),
}


@dataclass(frozen=True)
class Source:
    label: str  # "Published count 2017-18, version 2"
    href: str  # the page in the workspace
    detail: str = ""  # e.g. the returns behind it, with their SHA-256


@dataclass(frozen=True)
class Figure:
    key: str  # stable across versions: how two versions are compared
    label: str
    value: str  # as the reader sees it: "£1,234.56", "12", "87.5%"
    basis: str  # one of BASES
    source: Source
    method: str = ""  # how an estimate or projection was made; blank for a counted figure
    pence: int | None = None  # for charts


@dataclass(frozen=True)
class FigureTable:
    title: str
    heading: str  # the first column's heading
    figures: list[Figure]
    chart: bool = False  # drawn as bars too (money figures only)


@dataclass(frozen=True)
class Quote:
    text: str
    role: str
    source: Source


@dataclass
class Section:
    key: str
    title: str
    paragraphs: list[str] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    tables: list[FigureTable] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    empty: bool = False  # nothing published yet: the section says "none yet"

    def all_figures(self) -> list[Figure]:
        return [*self.figures, *(f for t in self.tables for f in t.figures)]


@dataclass
class Report:
    place_id: str
    place_name: str
    financial_year: str
    stage: str
    title: str
    sections: list[Section]
    version: int | None = None  # None while a draft
    issued_at: str = ""
    issued_by: str = ""
    consolidated: bool = False

    def figures(self) -> dict[str, Figure]:
        return {f.key: f for s in self.sections for f in s.all_figures()}


def money(pounds: object) -> str:
    """Pounds as published (exact decimal text) to the penny."""
    return format_gbp(pounds_to_pence(Decimal(str(pounds))))


def pence_of(pounds: object) -> int:
    return pounds_to_pence(Decimal(str(pounds)))


def percent(share: object) -> str:
    return f"{Decimal(str(share or 0)) * 100:.1f}%"


# ---- stored form -----------------------------------------------------------------


def to_content(report: Report) -> dict[str, Any]:
    return json.loads(json.dumps(asdict(report)))  # type: ignore[no-any-return]


def from_content(data: dict[str, Any]) -> Report:
    def figure(f: dict[str, Any]) -> Figure:
        return Figure(**{**f, "source": Source(**f["source"])})

    sections = [
        Section(
            s["key"],
            s["title"],
            list(s["paragraphs"]),
            [figure(f) for f in s["figures"]],
            [
                FigureTable(t["title"], t["heading"], [figure(f) for f in t["figures"]], t["chart"])
                for t in s["tables"]
            ],
            [Quote(q["text"], q["role"], Source(**q["source"])) for q in s["quotes"]],
            bool(s["empty"]),
        )
        for s in data["sections"]
    ]
    return Report(**{**data, "sections": sections})


def content_sha256(content: dict[str, Any]) -> str:
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# ---- comparing two versions ------------------------------------------------------


@dataclass(frozen=True)
class FigureChange:
    key: str
    label: str
    section: str
    before: str | None  # None: not in the earlier version
    after: str | None  # None: not in the later version


@dataclass(frozen=True)
class SectionChange:
    key: str
    title: str
    change: str  # added, removed, changed


@dataclass
class Comparison:
    before: int | None
    after: int | None
    figures: list[FigureChange]
    sections: list[SectionChange]
    unchanged: int  # figures the same in both


def _section_of(report: Report) -> dict[str, str]:
    return {f.key: s.title for s in report.sections for f in s.all_figures()}


def _section_hash(section: Section) -> str:
    return content_sha256(json.loads(json.dumps(asdict(section))))


def compare(before: Report, after: Report) -> Comparison:
    """Figure by figure (by key) and section by section: what changed since `before`."""
    old, new = before.figures(), after.figures()
    where = {**_section_of(before), **_section_of(after)}
    changes = []
    unchanged = 0
    for key in [*old, *(k for k in new if k not in old)]:
        was, now = old.get(key), new.get(key)
        if was is not None and now is not None and was.value == now.value:
            unchanged += 1
            continue
        label = (now or was).label  # type: ignore[union-attr]
        changes.append(
            FigureChange(
                key,
                label,
                where[key],
                None if was is None else was.value,
                None if now is None else now.value,
            )
        )
    sections = []
    old_sections = {s.key: s for s in before.sections}
    new_sections = {s.key: s for s in after.sections}
    for key, section in new_sections.items():
        if key not in old_sections:
            sections.append(SectionChange(key, section.title, "added"))
        elif _section_hash(section) != _section_hash(old_sections[key]):
            sections.append(SectionChange(key, section.title, "changed"))
    for key, section in old_sections.items():
        if key not in new_sections:
            sections.append(SectionChange(key, section.title, "removed"))
    return Comparison(before.version, after.version, changes, sections, unchanged)


# ---- quotes beside sections ------------------------------------------------------


def section_for(themes: list[str], section: str | None) -> str:
    """The report section a quote belongs beside, from its themes and history section."""
    words = " ".join([*themes, section or ""]).casefold()
    for key, hints in SECTION_WORDS.items():
        if any(h in words for h in hints):
            return key
    return "voices"


# ---- charts ----------------------------------------------------------------------

COLOURS = {"actual": "#1d70b8", "estimate": "#4c2c92", "projected": "#f47738", "count": "#1d70b8"}


def bar_chart(table: FigureTable, chart_id: str) -> str:
    """Horizontal bars as SVG, drawn on the server; the table beside it holds the same
    figures, so the chart is decoration for the eye and the table is what is read."""
    rows = [f for f in table.figures if f.pence is not None]
    largest = max((abs(f.pence or 0) for f in rows), default=0)
    height = 24 * len(rows) + 8
    parts = [
        f'<svg class="tp-report-chart" viewBox="0 0 600 {height}" width="100%" role="img" '
        f'aria-labelledby="{chart_id}-title" focusable="false">'
        f'<title id="{chart_id}-title">{escape(table.title)}: bar chart of the table below'
        "</title>"
    ]
    for index, figure in enumerate(rows):
        width = 0 if not largest else abs(figure.pence or 0) / largest * 380
        y = 4 + index * 24
        parts.append(
            f'<text x="0" y="{y + 14}" font-size="11" font-family="Arial, sans-serif" '
            'fill="#0b0c0c">'
            f"{escape(figure.label[:32])}</text>"
            f'<rect x="210" y="{y}" width="{width:.1f}" height="18" '
            f'fill="{COLOURS.get(figure.basis, "#1d70b8")}"/>'
        )
    parts.append("</svg>")
    return "".join(parts)
