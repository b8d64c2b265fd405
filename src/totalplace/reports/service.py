"""The place's reports, from its published material only: built as a draft, issued as an
immutable version, compared version with version, and consolidated across places.

Each section comes from a builder named in BUILDERS, keyed as in rules.SECTIONS: a new
section (the deep dives and their funding streams, when they land) is a builder more.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from totalplace.core.lifecycle import Table, TablesOfPlace
from totalplace.core.money import format_gbp
from totalplace.core.problems import ImportRejected, NotFound, Problem
from totalplace.core.store import audit as audit_store
from totalplace.core.store import base as store_base
from totalplace.core.store import rows as store_rows
from totalplace.core.store.db import Store

# Loaded with the service: the places table, which the barriers and reports tables refer to.
from totalplace.places.service import places as place_service
from totalplace.reports import files
from totalplace.reports.rules import (
    SECTIONS,
    STAGES,
    Comparison,
    Figure,
    FigureTable,
    Quote,
    Report,
    Section,
    Source,
    compare,
    content_sha256,
    from_content,
    money,
    pence_of,
    percent,
    section_for,
    to_content,
)
from totalplace.reports.tables import ReportRow

# For the pages.
STAGES_SHOWN = STAGES
ReportShown = Report


def published_years(store: Store, place_id: str) -> list[str]:
    """The years whose count the place has published, latest first."""
    from totalplace.count.service import publishing

    years = {p.financial_year for p in publishing.publications(store, place_id)}
    return sorted(years, reverse=True)


def place_ids(store: Store) -> list[str]:
    return [p.place_id for p in place_service.stored_places(store)]


def page_context(report: Report) -> dict[str, Any]:
    """What the report's body needs inside a workspace page (headings from level 2)."""
    return files.context(report, "", 2)


@dataclass
class Material:
    """What one place holds that a report may use, read once."""

    place_id: str
    place_name: str
    financial_year: str
    publication: Any  # the latest publication of the year's count, or None
    agency_names: dict[str, str]


def _place_name(store: Store, place_id: str) -> str:
    for place in place_service.stored_places(store):
        if place.place_id == place_id:
            return str(place.name)
    raise NotFound(f"there is no place {place_id!r}", fix="Check the place's identifier.")


def material(store: Store, place_id: str, financial_year: str) -> Material:
    from totalplace.count.service import publishing

    name = _place_name(store, place_id)
    published = publishing.publications(store, place_id, financial_year)
    latest = published[0] if published else None  # newest version first
    from totalplace.places.service import queries as place_queries

    with store.sessions() as session:
        names = {a.agency_id: a.name for a in place_queries.agencies(session, place_id)}
    return Material(place_id, name, financial_year, latest, names)


# ---- the sections ------------------------------------------------------------------


def _count_section(store: Store, m: Material, title: str) -> Section:
    section = Section("count", title)
    pub = m.publication
    if pub is None:
        section.empty = True
        section.paragraphs.append(
            f"The {m.financial_year} count has not been published: a report shows published "
            "figures only."
        )
        return section
    figures = pub.figures
    returns = "; ".join(
        f"{m.agency_names.get(r['agency_id'], r['agency_id'])} return v{r['version']} "
        f"SHA-256 {r['lines_sha256']}"
        for r in pub.returns
    )
    source = Source(
        f"Published count {pub.financial_year}, version {pub.version}",
        f"/places/{m.place_id}/publications/{pub.financial_year}/{pub.version}",
        f"published {pub.published_at:%Y-%m-%d} by {pub.published_by}; "
        f"returns: {returns or 'none'}",
    )
    estimated = Decimal(str(figures.get("estimated_share") or 0))
    coverage = figures.get("coverage", [])
    estimated_agencies = {c["agency_id"] for c in coverage if c["status"] == "estimate"}
    # A total with estimates in it is a count of both: it says how much is estimate.
    mixed = "count" if estimated else "actual"
    mixed_method = (
        f"actual spend and top-down estimates; {percent(estimated)} is estimate"
        if estimated
        else ""
    )
    section.paragraphs.append(
        f"All public spending in {m.place_name} in {m.financial_year}, counted from the "
        f"agencies' own returns and published as version {pub.version} of the count. "
        + (
            f"{percent(estimated)} of it is top-down estimate, not actual spend."
            if estimated
            else "None of it is estimated."
        )
    )
    section.figures.append(
        Figure(
            "count.total",
            "Total public spending",
            money(figures["total_gbp"]),
            mixed,
            source,
            mixed_method,
            pence=pence_of(figures["total_gbp"]),
        )
    )
    if figures.get("per_head_gbp") is not None:
        section.figures.append(
            Figure(
                "count.per_head",
                f"Per head ({figures.get('population'):,} people, "
                f"{figures.get('population_year')})",
                money(figures["per_head_gbp"]),
                mixed,
                source,
                "total divided by the mid-year population",
            )
        )
    section.figures.append(
        Figure(
            "count.estimated_share",
            "Share that is estimate",
            percent(estimated),
            "estimate",
            source,
            "top-down estimates where no return was given" if estimated else "",
        )
    )
    given = sum(1 for c in coverage if c["status"] != "missing")
    section.figures.append(
        Figure(
            "count.coverage",
            "Agencies with a return",
            f"{given} of {len(coverage)}",
            "count",
            source,
        )
    )
    by_function = [
        Figure(
            f"count.function.{row['code']}",
            _cofog_label(str(row["code"]), row.get("label")),
            money(row["gbp"]),
            mixed,
            source,
            mixed_method,
            pence=pence_of(row["gbp"]),
        )
        for row in figures.get("by_cofog_division", [])
    ]
    if by_function:
        section.tables.append(FigureTable("By function (COFOG)", "Function", by_function, True))
    by_agency = [
        Figure(
            f"count.agency.{row['agency_id']}",
            m.agency_names.get(row["agency_id"], row.get("label") or row["agency_id"]),
            money(row["gbp"]),
            "estimate" if row["agency_id"] in estimated_agencies else "actual",
            source,
            "top-down estimate" if row["agency_id"] in estimated_agencies else "",
            pence=pence_of(row["gbp"]),
        )
        for row in figures.get("by_agency", [])
    ]
    if by_agency:
        section.tables.append(FigureTable("By agency", "Agency", by_agency, True))
    if coverage:
        section.tables.append(
            FigureTable(
                "Coverage",
                "Agency",
                [
                    Figure(
                        f"count.coverage.{c['agency_id']}",
                        m.agency_names.get(c["agency_id"], c["agency_id"]),
                        c["status"],
                        "estimate" if c["status"] == "estimate" else "count",
                        source,
                        "top-down estimate: no return" if c["status"] == "estimate" else "",
                    )
                    for c in coverage
                ],
            )
        )
    return section


def _deepdive_section(store: Store, m: Material, title: str) -> Section:
    """The year's funding flows as the deep dive counts them: money entering the place
    counted once, however often it is passed on between its agencies."""
    from totalplace.deepdive import service as deepdive

    section = Section("deepdive", title)
    summary = deepdive.flow_summary(store, m.place_id, m.financial_year)
    if not summary.flows:
        section.empty = True
        return section
    source = Source(
        f"Funding flows {m.financial_year} ({summary.flows} flows)",
        f"/places/{m.place_id}/deepdive?year={m.financial_year}",
    )
    section.paragraphs.append(
        "The funding streams recorded for the year, from the funders' own grant files: money "
        "entering the place is counted once, and what its agencies pass on to each other is "
        "shown apart, not added again."
    )
    ring = (
        f"{summary.ring_fenced_pence * 100 / summary.entering_pence:.1f}%"
        if summary.entering_pence
        else "0.0%"
    )
    section.figures += [
        Figure(
            "deepdive.entering",
            "Entering the place",
            format_gbp(summary.entering_pence),
            "actual",
            source,
            pence=summary.entering_pence,
        ),
        Figure(
            "deepdive.within",
            "Passed on between its agencies",
            format_gbp(summary.within_pence),
            "actual",
            source,
            pence=summary.within_pence,
        ),
        Figure(
            "deepdive.leaving",
            "Leaving the place",
            format_gbp(summary.leaving_pence),
            "actual",
            source,
            pence=summary.leaving_pence,
        ),
        Figure("deepdive.streams", "Funding streams", str(len(summary.streams)), "count", source),
        Figure(
            "deepdive.ring_fenced", "Of the money entering, ring-fenced", ring, "actual", source
        ),
    ]
    if summary.by_theme:
        section.tables.append(
            FigureTable(
                "Funding streams by theme",
                "Theme",
                [
                    Figure(
                        f"deepdive.theme.{t.theme}",
                        f"{t.theme} ({t.streams} streams)",
                        format_gbp(t.entering_pence),
                        "actual",
                        source,
                        pence=t.entering_pence,
                    )
                    for t in summary.by_theme
                ],
                chart=True,
            )
        )
    return section


def _journeys_section(store: Store, m: Material, title: str) -> Section:
    from totalplace.journeys import service as journeys
    from totalplace.journeys.rules.journeys import summarise

    section = Section("journeys", title)
    records = journeys.records(store, m.place_id)
    _models(store, m, section)
    if not records:
        section.empty = not section.tables
        return section
    section.paragraphs.append(
        "Citizens' journeys through the place's services, as mapped with them: each contact "
        "priced at its unit cost. The cost a year scales one journey by the number of people "
        "who make it a year, and says so."
    )
    table = []
    for record in records:
        summary = summarise(journeys.as_journey(record))
        source = Source(
            f"Journey {record.journey_id}", f"/places/{m.place_id}/journeys/{record.id}"
        )
        pence = round(summary.cost_gbp * 100)
        table.append(
            Figure(
                f"journeys.{record.journey_id}.cost",
                f"{record.journey_id}: one journey",
                format_gbp(pence),
                "estimate",
                source,
                f"{summary.contacts} contacts at their unit costs",
                pence,
            )
        )
        table.append(
            Figure(
                f"journeys.{record.journey_id}.hand_offs",
                f"{record.journey_id}: hand-offs",
                str(summary.hand_offs),
                "count",
                source,
            )
        )
        if record.cohort_per_year:
            annual = round(summary.cost_gbp * record.cohort_per_year * 100)
            table.append(
                Figure(
                    f"journeys.{record.journey_id}.annual",
                    f"{record.journey_id}: a year",
                    format_gbp(annual),
                    "projected",
                    source,
                    f"one journey times {record.cohort_per_year:g} people a year "
                    "(scaled, not counted)",
                    annual,
                )
            )
    section.tables.append(FigureTable("Journeys", "Journey", table))
    return section


def _models(store: Store, m: Material, section: Section) -> None:
    """Each cost-of-failure model's strategies: a projection, run without its draws."""
    from totalplace.models.service import models as model_service

    records = model_service.records(store, m.place_id)
    if records:
        section.paragraphs.append(
            "Cost-of-failure models follow a cohort through the states of failure: what "
            "each strategy costs per person is a projection, discounted, and says so."
        )
    for record in records:
        result = model_service.run(record.spec, draws=0)
        source = Source(
            f"Cost-of-failure model {record.name}", f"/places/{m.place_id}/models/{record.id}"
        )
        figures = [
            Figure(
                f"models.{_slug(record.name)}.{_slug(str(item['name']))}",
                f"{item['name']}: cost per person",
                format_gbp(round(float(item["total_cost"]) * 100)),
                "projected",
                source,
                "cohort state-transition model: discounted cost per person over its years",
                round(float(item["total_cost"]) * 100),
            )
            for item in result["strategies"]
        ]
        section.tables.append(FigureTable(f"Model: {record.name}", "Strategy", figures, True))


def _cases_section(store: Store, m: Material, title: str) -> Section:
    from totalplace.cases.service import cases as case_service

    section = Section("cases", title)
    rows = case_service.cases(store, m.place_id)
    if not rows:
        section.empty = True
        return section
    section.paragraphs.append(
        "Invest-to-save business cases, appraised by the Green Book: every figure is a "
        "projection in present value, discounted, with the case's optimism bias. Who pays "
        "is each agency's present cost, who saves each agency's present benefit."
    )
    method = "Green Book appraisal: present value of the case's forecast flows, discounted"
    for row in rows:
        a = case_service.appraisal_of(row)
        source = Source(f"Business case {row.name}", f"/places/{m.place_id}/cases/{row.id}")
        key = f"cases.{_slug(row.name)}"
        figures = [
            Figure(
                f"{key}.npv",
                f"{row.name}: net present value",
                format_gbp(round(a.npv * 100)),
                "projected",
                source,
                method,
                round(a.npv * 100),
            ),
            Figure(
                f"{key}.pv_costs",
                f"{row.name}: present cost",
                format_gbp(round(a.pv_costs * 100)),
                "projected",
                source,
                method,
            ),
        ]
        for agency in a.agencies:
            figures.append(
                Figure(
                    f"{key}.pays.{_slug(agency.agency)}",
                    f"{agency.agency} pays",
                    format_gbp(round(agency.pv_costs * 100)),
                    "projected",
                    source,
                    method,
                )
            )
            figures.append(
                Figure(
                    f"{key}.saves.{_slug(agency.agency)}",
                    f"{agency.agency} saves",
                    format_gbp(round(agency.pv_benefits * 100)),
                    "projected",
                    source,
                    method,
                )
            )
        section.tables.append(FigureTable(f"Case: {row.name}", "Who", figures))
    shared = case_service.shares(store, m.place_id)
    shapley = shared.get("rules", {}).get("shapley")
    if shapley is not None:
        source = Source("Sharing the savings", f"/places/{m.place_id}/sharing")
        section.tables.append(
            FigureTable(
                "Sharing the savings (Shapley value)",
                "Agency",
                [
                    Figure(
                        f"cases.share.{_slug(p)}",
                        p,
                        format_gbp(round(x * 100)),
                        "projected",
                        source,
                        "Shapley value of the cases run together",
                        round(x * 100),
                    )
                    for p, x in zip(shapley.players, shapley.shares, strict=True)
                ],
                True,
            )
        )
    return section


def _estate_section(store: Store, m: Material, title: str) -> Section:
    from totalplace.estate import service as estate

    section = Section("estate", title)
    assets = estate.place_assets(store, m.place_id)
    if not assets:
        section.empty = True
        return section
    source = Source("The public estate", f"/places/{m.place_id}/estate")
    costs = [a.running_cost_pence for a in assets if a.running_cost_pence is not None]
    section.paragraphs.append(
        "Every agency's buildings and land, from their own registers; the data-quality "
        "findings are on the estate page."
    )
    section.figures += [
        Figure("estate.assets", "Assets", str(len(assets)), "count", source),
        Figure("estate.vacant", "Vacant", str(sum(1 for a in assets if a.vacant)), "count", source),
        Figure(
            "estate.running_cost",
            f"Running cost given ({len(costs)} assets)",
            format_gbp(sum(costs)),
            "actual",
            source,
            pence=sum(costs),
        ),
    ]
    by_agency: dict[str, int] = {}
    for asset in assets:
        by_agency[asset.agency_id] = by_agency.get(asset.agency_id, 0) + 1
    section.tables.append(
        FigureTable(
            "Assets by agency",
            "Agency",
            [
                Figure(f"estate.agency.{a}", m.agency_names.get(a, a), str(n), "count", source)
                for a, n in sorted(by_agency.items())
            ],
        )
    )
    return section


def _barriers_section(store: Store, m: Material, title: str) -> Section:
    from totalplace.barriers import service as barriers

    section = Section("barriers", title)
    shown = barriers.register(store, m.place_id)
    if not shown:
        section.empty = True
        return section
    section.paragraphs.append(
        "Barriers the place has raised with the national bodies that own the rules, each "
        "with its tracking number and status. The value a barrier blocks is the present "
        "value of the business cases it stops: a projection, not money counted."
    )
    figures = []
    for item in shown:
        b = item.barrier
        source = Source(
            f"Barrier {b.tracking_number}", f"/places/{m.place_id}/barriers/{b.tracking_number}"
        )
        figures.append(
            Figure(
                f"barriers.{b.tracking_number}.status",
                f"{b.tracking_number} {b.title} (owner: {b.owner})",
                b.status,
                "count",
                source,
            )
        )
        if item.blocked_pence:
            figures.append(
                Figure(
                    f"barriers.{b.tracking_number}.blocked",
                    f"{b.tracking_number} blocks",
                    format_gbp(item.blocked_pence),
                    "projected",
                    source,
                    "present value of the business cases it stops",
                    item.blocked_pence,
                )
            )
    section.tables.append(FigureTable("The barriers", "Barrier", figures))
    return section


def _voices_section(store: Store, m: Material, title: str) -> Section:
    section = Section("voices", title)
    section.paragraphs.append(
        "Participants' own words from the learning history, approved for publication and "
        "attributed by role, never by name. Each sits beside the section it speaks to; "
        "the rest are here."
    )
    return section


Builder = Callable[[Store, Material, str], Section]
BUILDERS: dict[str, Builder] = {
    "count": _count_section,
    "deepdive": _deepdive_section,
    "journeys": _journeys_section,
    "cases": _cases_section,
    "estate": _estate_section,
    "barriers": _barriers_section,
    "voices": _voices_section,
}


def _cofog_label(code: str, label: object) -> str:
    from totalplace.core.reference import reference

    if label:
        return str(label)
    item = reference().cofog.get(code)
    return f"{code} {item.label}" if item else f"COFOG {code}"


def _slug(text: str) -> str:
    return "-".join("".join(c if c.isalnum() else " " for c in text.casefold()).split())


def _quotes(store: Store, place_id: str) -> list[tuple[str, Quote]]:
    """Approved quotes of the place's learning histories, each with its section."""
    from totalplace.history import service as history

    out = []
    for project in history.projects_of_place(store, place_id):
        name = str(project["name"]).removeprefix(f"{place_id}:")
        for q in project["quotes"]:
            if not q.get("approved"):
                continue
            source = Source(
                f"Learning history {name}, quote {q['id']}",
                f"/places/{place_id}/history/{name}#{q['id']}",
            )
            quote = Quote(str(q["text"]), str(q.get("role") or "Participant"), source)
            out.append((section_for(list(q.get("themes") or []), q.get("section")), quote))
    return out


def assemble(store: Store, place_id: str, financial_year: str, stage: str) -> Report:
    """The report as a draft: every section from what the place holds now."""
    if stage not in STAGES:
        raise ImportRejected(
            [Problem("out-of-range", f"{stage!r} is not interim or final", column="stage")]
        )
    m = material(store, place_id, financial_year)
    sections = [BUILDERS[key](store, m, title) for key, title in SECTIONS]
    by_key = {s.key: s for s in sections}
    for key, quote in _quotes(store, place_id):
        by_key.get(key, by_key["voices"]).quotes.append(quote)
    if not by_key["voices"].quotes:
        by_key["voices"].empty = True
    title = f"Total Place {m.place_name}: {stage} report, {financial_year}"
    return Report(place_id, m.place_name, financial_year, stage, title, sections)


# ---- issuing, versions, comparing ----------------------------------------------------


def issue(store: Store, place_id: str, financial_year: str, stage: str, actor: str) -> Report:
    """A new immutable version: the report as built now, kept whole."""
    report = assemble(store, place_id, financial_year, stage)
    if m_unpublished(report):
        raise ImportRejected(
            [
                Problem(
                    "no-publication",
                    f"the {financial_year} count of {place_id} is not published",
                    column="year",
                )
            ]
        )
    with store.locked(
        f"reports:{place_id}",
        "Someone else issued a report of this place a moment ago. Look at its reports, "
        "then issue again if you still need to.",
    ) as session:
        latest = session.scalar(
            select(func.max(ReportRow.version)).where(ReportRow.place_id == place_id)
        )
        report.version = (latest or 0) + 1
        now = store_base.now()
        report.issued_at = store_rows.iso(now)
        report.issued_by = actor
        content = to_content(report)
        session.add(
            ReportRow(
                place_id=place_id,
                version=report.version,
                financial_year=financial_year,
                stage=stage,
                content=content,
                content_sha256=content_sha256(content),
                issued_by=actor,
                issued_at=now,
            )
        )
        audit_store.audit(
            session,
            actor,
            "issue-report",
            place_id,
            {"version": report.version, "financial_year": financial_year, "stage": stage},
        )
    return report


def m_unpublished(report: Report) -> bool:
    return next(s for s in report.sections if s.key == "count").empty


@dataclass(frozen=True)
class Issued:
    version: int
    financial_year: str
    stage: str
    issued_by: str
    issued_at: str
    content_sha256: str


def versions(store: Store, place_id: str) -> list[Issued]:
    with store.sessions() as session:
        found = session.scalars(
            select(ReportRow).where(ReportRow.place_id == place_id).order_by(ReportRow.version)
        )
        return [
            Issued(
                r.version,
                r.financial_year,
                r.stage,
                r.issued_by,
                store_rows.iso(r.issued_at),
                r.content_sha256,
            )
            for r in found
        ]


def issued(store: Store, place_id: str, version: int) -> Report:
    """An issued version as it was issued; a stored copy whose content no longer matches
    its SHA-256 is refused, not shown."""
    with store.sessions() as session:
        row = session.get(ReportRow, (place_id, version))
        if row is None:
            raise NotFound(f"there is no report version {version} of {place_id}")
        if content_sha256(row.content) != row.content_sha256:
            raise ImportRejected(
                [
                    Problem(
                        "bad-record",
                        f"report version {version} does not match its SHA-256",
                        column="content",
                        fix="Restore the report from the place's data package.",
                    )
                ]
            )
        return from_content(row.content)


def compare_versions(store: Store, place_id: str, before: int, after: int) -> Comparison:
    return compare(issued(store, place_id, before), issued(store, place_id, after))


def compare_with_draft(store: Store, place_id: str, before: int) -> Comparison:
    """What would change if the report were issued now."""
    old = issued(store, place_id, before)
    return compare(old, assemble(store, place_id, old.financial_year, old.stage))


def document(report: Report, kind: str, base: str = "") -> bytes:
    if kind == "html":
        return files.to_html(report, base).encode("utf-8")
    if kind == "pdf":
        return files.to_pdf(report, base)
    if kind == "docx":
        return files.to_docx(report, base)
    raise NotFound(f"a report is written as html, pdf or docx, not {kind!r}")


def build(
    store: Store,
    place_id: str,
    financial_year: str,
    folder: Path,
    draft: bool,
    actor: str,
    stage: str = "interim",
    base: str = "",
) -> tuple[Report, list[Path]]:
    """report.html, report.pdf and report.docx in the folder: a draft (nothing kept) or a
    newly issued version."""
    report = (
        assemble(store, place_id, financial_year, stage)
        if draft
        else issue(store, place_id, financial_year, stage, actor)
    )
    return report, files.write_all(report, folder, base)


# ---- across places -----------------------------------------------------------------


def consolidated(store: Store, place_ids: list[str], financial_year: str) -> Report:
    """What was counted where, what the cases save, the barriers raised: one section a
    place and a summary, with coverage stated. Never a sum of what was not counted."""
    from totalplace.barriers import service as barriers
    from totalplace.cases.service import cases as case_service

    summary = Section("summary", "Across the places")
    sections = [summary]
    counted = 0
    total_pence = 0
    for place_id in place_ids:
        m = material(store, place_id, financial_year)
        count = _count_section(store, m, f"{m.place_name}: what was counted")
        count.key = f"place.{place_id}"
        count.figures = [
            Figure(f"{place_id}.{f.key}", f.label, f.value, f.basis, f.source, f.method, f.pence)
            for f in count.figures
        ]
        count.tables = []
        if m.publication is not None:
            counted += 1
            total_pence += pence_of(m.publication.figures["total_gbp"])
        npv = sum(
            round(case_service.appraisal_of(r).npv * 100)
            for r in case_service.cases(store, place_id)
        )
        cases_source = Source(f"{m.place_name}: business cases", f"/places/{place_id}/cases")
        count.figures.append(
            Figure(
                f"{place_id}.cases.npv",
                "Business cases: net present value",
                format_gbp(npv),
                "projected",
                cases_source,
                "Green Book appraisal of each case, added together",
            )
        )
        raised = barriers.barriers(store, place_id)
        count.figures.append(
            Figure(
                f"{place_id}.barriers",
                "Barriers raised",
                str(len(raised)),
                "count",
                Source(f"{m.place_name}: barriers", f"/places/{place_id}/barriers"),
            )
        )
        sections.append(count)
    summary.paragraphs.append(
        f"{counted} of the {len(place_ids)} places have a published {financial_year} count. "
        "The total adds those counts only; a place without one is left out, not estimated."
    )
    summary.figures.append(
        Figure(
            "summary.total",
            f"Counted spending, {counted} of {len(place_ids)} places",
            format_gbp(total_pence),
            "actual",
            Source("Each place's published count", "/places"),
        )
    )
    return Report(
        "",
        "Places together",
        financial_year,
        "consolidated",
        f"Total Place: the places together, {financial_year}",
        sections,
        consolidated=True,
    )


def write_consolidated(
    store: Store, place_ids: list[str], financial_year: str, folder: Path
) -> list[Path]:
    return files.write_all(consolidated(store, place_ids, financial_year), folder)


# ---- the place data package ------------------------------------------------------------


def _check_stored(record: dict[str, Any], file: str, number: int) -> None:
    content = record.get("content")
    if not isinstance(content, dict) or content_sha256(content) != record.get("content_sha256"):
        raise ImportRejected(
            [
                Problem(
                    "bad-record",
                    "the report's content does not match its SHA-256: an issued report "
                    "is never changed",
                    file=file,
                    row=number,
                    column="content",
                )
            ]
        )


PLACE_DATA = TablesOfPlace(
    (Table(ReportRow, "reports", "reports.json", "reports.md", check=_check_stored),)
)


# ---- the demo place ------------------------------------------------------------------


def demo_report(store: Store, place_id: str, financial_year: str, actor: str) -> Report:
    """An issued final report of the demo place; the count is published first if it is
    not yet (a report shows published figures only)."""
    from totalplace.count.service import publishing

    if not publishing.publications(store, place_id, financial_year):
        publishing.publish(store, place_id, financial_year, actor)
    return issue(store, place_id, financial_year, "final", actor)
