"""Deep dives' use cases: import funding flows, follow them through the place, count a
theme's money, and find where agencies duplicate each other. The doors call these; each
owns its transaction.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl

from totalplace.core.lifecycle import Table, TablesOfPlace
from totalplace.core.money import pence_to_pounds
from totalplace.core.problems import ImportRejected, NotFound, Problem, ProblemList
from totalplace.core.store import audit as audit_store
from totalplace.core.store.db import Store
from totalplace.count.rules.count import CountInput, consolidated_lines
from totalplace.count.service.counting import count_input, current_lines, line_years
from totalplace.count.service.views import pounds_as_numbers
from totalplace.deepdive import files, rules
from totalplace.deepdive.files import Organisations, ReadFlows
from totalplace.deepdive.rules import Flow, Theme, ThemeRule
from totalplace.deepdive.tables import FundingFlowRow, ThemeRow, ThemeRuleRow
from totalplace.deepdive.tables import flows as flow_rows
from totalplace.deepdive.tables import theme_rules as rule_rows
from totalplace.deepdive.tables import themes as theme_rows
from totalplace.places.service import queries as place_queries

MAX_FLOWS_BYTES = 50 * 1024 * 1024
FIELD_LABELS = dict(rules.THEME_FIELDS)

# ---- the place data package --------------------------------------------------------------


def _check_flow(record: dict[str, Any], file: str, number: int) -> None:
    problems = ProblemList()
    pence = str(record.get("amount_pence") or "")
    values = {k: ("" if v is None else str(v)) for k, v in record.items()}
    try:
        values["amount_gbp"] = str(pence_to_pounds(int(pence)))
    except ValueError:
        values["amount_gbp"] = pence
    files.flow_from_record(values, file, number + 1, problems)
    problems.raise_if_any()


def _check_rule(record: dict[str, Any], file: str, number: int) -> None:
    problems = ProblemList()
    # The package's themes load first; a rule's theme is checked against every theme id
    # it could name (the shipped ones too), and the field and share as a rule file's.
    known = {t.theme_id for t in rules.SHIPPED_THEMES} | {str(record.get("theme_id") or "")}
    files.rule_from_record(record, file, number + 1, problems, known)
    problems.raise_if_any()


PLACE_DATA = TablesOfPlace(
    (
        Table(
            FundingFlowRow,
            "funding_flows",
            "funding_flows.csv",
            "funding-flows.md",
            check=_check_flow,
            money=("amount_pence",),
        ),
        Table(ThemeRow, "deepdive_themes", "deepdive_themes.csv", "funding-flows.md#themes"),
        Table(
            ThemeRuleRow,
            "theme_rules",
            "theme_rules.csv",
            "funding-flows.md#theme-rules",
            check=_check_rule,
        ),
    )
)

# ---- reading ------------------------------------------------------------------------------


def _to_flow(row: FundingFlowRow) -> Flow:
    return Flow(
        flow_id=row.flow_id,
        stream=row.stream,
        from_id=row.from_id,
        to_id=row.to_id,
        financial_year=row.financial_year,
        amount_pence=row.amount_pence,
        themes=rules.split_themes(row.themes),
        ring_fenced=None if not row.ring_fenced else row.ring_fenced == "true",
        conditions=row.conditions,
        reporting=row.reporting,
        from_name=row.from_name,
        to_name=row.to_name,
    )


@dataclass(frozen=True)
class Place:
    place_id: str
    name: str
    agencies: dict[str, str]  # id -> name


def place_of(store: Store, place_id: str) -> Place:
    with store.sessions() as session:
        place = place_queries.get_place(session, place_id)
        if place is None:
            raise NotFound(f"there is no place {place_id!r}")
        agencies = {a.agency_id: a.name for a in place_queries.agencies(session, place_id)}
        return Place(place.place_id, place.name, agencies)


def flows_of(store: Store, place_id: str) -> list[Flow]:
    with store.sessions() as session:
        return [_to_flow(r) for r in flow_rows(session, place_id)]


def flow_years(store: Store, place_id: str) -> list[str]:
    """Years with flows or lines, latest first."""
    years = {f.financial_year for f in flows_of(store, place_id)}
    return sorted(years | set(line_years(place_id, store)), reverse=True)


def themes_of(store: Store, place_id: str) -> list[Theme]:
    """The place's own themes, or the shipped themes when it has not edited them."""
    with store.sessions() as session:
        own = theme_rows(session, place_id)
    if own:
        return [Theme(r.theme_id, r.name, r.description) for r in own]
    return list(rules.SHIPPED_THEMES)


def rules_of(store: Store, place_id: str) -> list[ThemeRule]:
    with store.sessions() as session:
        return [
            ThemeRule(r.theme_id, r.field, r.value, Decimal(r.share), r.basis)
            for r in rule_rows(session, place_id)
        ]


# ---- importing ----------------------------------------------------------------------------


@dataclass(frozen=True)
class FlowsImported:
    place_id: str
    kind: str
    added: int
    replaced: int
    total_pence: int
    notes: list[str] = field(default_factory=list)


def read_flows_file(
    content: bytes,
    filename: str,
    agencies: Sequence[tuple[str, str]],
    mapping: Mapping[str, str],
) -> tuple[str, ReadFlows]:
    """What kind of file it is, and its flows: 360Giving JSON, 360Giving's flat CSV or
    XLSX (the grants register's awards among them), or the flows template."""
    organisations = Organisations(agencies, mapping)
    suffix = Path(filename).suffix.lower()
    if suffix == ".json":
        return "360Giving JSON", files.read_360giving_json(content, filename, organisations)
    with tempfile.TemporaryDirectory(prefix="totalplace-flows-") as tmp:
        sheets = files.sheets_of(content, filename, Path(tmp))
    try:
        return "flows template", files.read_flows_sheet(sheets, filename)
    except ImportRejected as first:
        if [p.code for p in first.problems] != ["missing-column"]:
            raise
    return "360Giving", files.read_360giving_sheet(sheets, filename, organisations)


def import_flows(
    store: Store,
    place_id: str,
    content: bytes,
    filename: str,
    actor: str,
    mapping: Mapping[str, str] | None = None,
) -> FlowsImported:
    """Add the file's flows to the place, all or nothing; a flow already held under the
    same id is replaced by the file's."""
    place = place_of(store, place_id)
    for key, agency_id in (mapping or {}).items():
        if agency_id not in place.agencies:
            raise ImportRejected(
                [
                    Problem(
                        "unknown-agency",
                        f"{key} is mapped to {agency_id!r}, which is not an agency of the place",
                        column="agency",
                    )
                ]
            )
    if len(content) > MAX_FLOWS_BYTES:
        raise ImportRejected([Problem("file-too-large", "the file is over 50 MB", file=filename)])
    kind, read = read_flows_file(content, filename, list(place.agencies.items()), mapping or {})
    with store.transaction() as session:
        replaced = 0
        for flow in read.flows:
            existing = session.get(FundingFlowRow, (place_id, flow.flow_id))
            if existing is not None:
                replaced += 1
                session.delete(existing)
                session.flush()
            session.add(_row(place_id, flow, read.sources.get(flow.flow_id, filename)))
        audit_store.audit(
            session,
            actor,
            "import-funding-flows",
            place_id,
            {"file": filename, "kind": kind, "flows": len(read.flows)},
        )
    return FlowsImported(
        place_id,
        kind,
        len(read.flows) - replaced,
        replaced,
        sum(f.amount_pence for f in read.flows),
        read.notes,
    )


def _row(place_id: str, flow: Flow, source: str) -> FundingFlowRow:
    return FundingFlowRow(
        place_id=place_id,
        flow_id=flow.flow_id,
        stream=flow.stream,
        from_id=flow.from_id,
        to_id=flow.to_id,
        financial_year=flow.financial_year,
        amount_pence=flow.amount_pence,
        themes=";".join(flow.themes),
        ring_fenced="" if flow.ring_fenced is None else str(flow.ring_fenced).lower(),
        conditions=flow.conditions,
        reporting=flow.reporting,
        from_name=flow.from_name,
        to_name=flow.to_name,
        source=source,
    )


def template(store: Store, place_id: str) -> bytes:
    place = place_of(store, place_id)
    themes = [(t.theme_id, t.name) for t in themes_of(store, place_id)]
    return files.template_xlsx(sorted(place.agencies.items()), themes)


def flows_csv(store: Store, place_id: str) -> bytes:
    return files.flows_csv(flows_of(store, place_id))


def set_theme_rules(store: Store, place_id: str, content: bytes, filename: str, actor: str) -> int:
    """Replace the place's theme rules with the file's (theme_id, field, value, share,
    basis); all or nothing."""
    place_of(store, place_id)
    known = {t.theme_id for t in themes_of(store, place_id)}
    found = files.read_theme_rules(content, filename, known)
    keys = [(r.theme_id, r.field, rules.match_key(r.value)) for r in found]
    if len(set(keys)) != len(keys):
        raise ImportRejected(
            [Problem("duplicate-key", "a rule appears twice", file=filename, column="value")]
        )
    with store.transaction() as session:
        for row in rule_rows(session, place_id):
            session.delete(row)
        session.flush()
        for r in found:
            session.add(
                ThemeRuleRow(
                    place_id=place_id,
                    theme_id=r.theme_id,
                    field=r.field,
                    value=r.value,
                    share=str(r.share),
                    basis=r.basis,
                )
            )
        audit_store.audit(
            session, actor, "set-theme-rules", place_id, {"file": filename, "rules": len(found)}
        )
    return len(found)


def set_themes_from_file(
    store: Store, place_id: str, content: bytes, filename: str, actor: str
) -> int:
    """Replace the place's themes with a file's (theme_id, name, description)."""
    themes = files.read_themes(content, filename)
    set_themes(store, place_id, themes, actor)
    return len(themes)


def set_themes(store: Store, place_id: str, themes: Sequence[Theme], actor: str) -> None:
    """The place's own themes in place of the shipped ones (its rules must name them)."""
    place_of(store, place_id)
    ids = [t.theme_id for t in themes]
    problems = [
        Problem("duplicate-key", f"theme {t!r} appears twice", column="theme_id")
        for t in sorted({i for i in ids if ids.count(i) > 1})
    ] + [
        Problem("unknown-theme", f"a rule names theme {r.theme_id!r}", column="theme_id")
        for r in rules_of(store, place_id)
        if r.theme_id not in ids
    ]
    if problems:
        raise ImportRejected(problems)
    with store.transaction() as session:
        for row in theme_rows(session, place_id):
            session.delete(row)
        session.flush()
        for t in themes:
            session.add(ThemeRow(place_id=place_id, **t.__dict__))
        audit_store.audit(session, actor, "set-themes", place_id, {"themes": ids})


# ---- flows through the place ------------------------------------------------------------


def flow_summary(store: Store, place_id: str, financial_year: str) -> rules.FlowSummary:
    place = place_of(store, place_id)
    return rules.summarise_flows(flows_of(store, place_id), place.agencies, financial_year)


def _gbp(pence: int) -> Decimal:
    return pence_to_pounds(pence)


def flows_json(summary: rules.FlowSummary) -> dict[str, Any]:
    """The `totalplace flows --json` contract (docs/formats/funding-flows.md)."""
    body = {
        "financial_year": summary.financial_year,
        "entering_gbp": _gbp(summary.entering_pence),
        "within_gbp": _gbp(summary.within_pence),
        "leaving_gbp": _gbp(summary.leaving_pence),
        "outside_gbp": _gbp(summary.outside_pence),
        "naive_sum_gbp": _gbp(summary.naive_pence),
        "ring_fenced_gbp": _gbp(summary.ring_fenced_pence),
        "flows": summary.flows,
        "by_agency": [{"agency_id": a, "held_gbp": _gbp(p)} for a, p in summary.by_agency],
        "streams": [
            {
                "stream": s.stream,
                "entering_gbp": _gbp(s.entering_pence),
                "funders": s.funders,
                "recipients": s.recipients,
                "themes": s.themes,
                "ring_fenced": s.ring_fenced,
                "conditions": s.conditions,
                "reporting": s.reporting,
            }
            for s in summary.streams
        ],
        "by_theme": [
            {
                "theme": t.theme,
                "streams": t.streams,
                "entering_gbp": _gbp(t.entering_pence),
                "stream_names": t.stream_names,
            }
            for t in summary.by_theme
        ],
    }
    result: dict[str, Any] = pounds_as_numbers(body)
    return result


# ---- themes over the count's lines ----------------------------------------------------------

_ALWAYS = ("agency_id", "cofog", "funding_source", "estimate", "themes")


def _grouped_lines(lines: pl.LazyFrame, wanted: Sequence[str]) -> list[dict[str, Any]]:
    """The lines summed by the columns the rules read: thousands of rows, not millions."""
    held = set(lines.collect_schema().names())
    keys = list(dict.fromkeys([*_ALWAYS, *wanted]))
    frame = lines.select(
        [
            (pl.col(k) if k in held else pl.lit(None))
            .cast(pl.Boolean if k == "estimate" else pl.String)
            .alias(k)
            for k in keys
        ]
        + [pl.col("amount_pence")]
    )
    summed = (
        frame.group_by(keys).agg(pl.col("amount_pence").sum(), pl.len().alias("_lines")).collect()
    )
    return summed.to_dicts()


def _themed(
    store: Store, place_id: str, financial_year: str
) -> tuple[list[rules.ThemedLine], list[Theme]]:
    themes = themes_of(store, place_id)
    theme_rules = rules_of(store, place_id)
    data = count_input(place_id, financial_year, store)
    data = CountInput(**{**data.__dict__, "lines": current_lines(place_id, financial_year, store)})
    lines = consolidated_lines(data)
    wanted = sorted({rules.LINE_COLUMN[r.field] for r in theme_rules})
    known = [t.theme_id for t in themes]
    out = []
    for row in _grouped_lines(lines, wanted):
        found = rules.themes_of_line(row, theme_rules, known)
        if found:
            out.append(
                rules.ThemedLine(
                    agency_id=str(row["agency_id"]),
                    cofog=str(row["cofog"] or ""),
                    funding_source=str(row["funding_source"] or ""),
                    amount_pence=int(row["amount_pence"] or 0),
                    estimate=bool(row["estimate"]),
                    themes=found,
                    lines=int(row["_lines"]),
                )
            )
    return out, themes


@dataclass(frozen=True)
class ThemeView:
    count: rules.ThemeCount
    theme_rules: list[ThemeRule]
    same_service: list[rules.SameService]


def theme_count(store: Store, place_id: str, financial_year: str) -> ThemeView:
    lines, themes = _themed(store, place_id, financial_year)
    return ThemeView(
        rules.theme_count(lines, themes), rules_of(store, place_id), rules.same_service(lines)
    )


def theme_json(view: ThemeView, financial_year: str) -> dict[str, Any]:
    body = {
        "financial_year": financial_year,
        "total_gbp": _gbp(view.count.total_pence),
        "themes": [
            {
                "theme": t.theme_id,
                "name": t.name,
                "total_gbp": _gbp(t.total_pence),
                "estimated_gbp": _gbp(t.estimated_pence),
                "by_share_gbp": _gbp(t.shared_pence),
                "by_agency": [
                    {"agency_id": a, "gbp": _gbp(p)} for a, p in sorted(t.by_agency.items())
                ],
                "by_function": [
                    {"cofog": c or None, "gbp": _gbp(p)} for c, p in sorted(t.by_function.items())
                ],
                "by_funding_source": [
                    {"funding_source": s or None, "gbp": _gbp(p)}
                    for s, p in sorted(t.by_funding_source.items())
                ],
            }
            for t in view.count.themes
        ],
        "same_service": [
            {
                "theme": s.theme_id,
                "cofog_division": s.cofog_division,
                "by_agency": [{"agency_id": a, "gbp": _gbp(p)} for a, p in s.by_agency.items()],
                "total_gbp": _gbp(s.total_pence),
            }
            for s in view.same_service
        ],
    }
    result: dict[str, Any] = pounds_as_numbers(body)
    return result


# ---- duplication ------------------------------------------------------------------------------

# Columns a ledger may give a supplier's company or charity number in.
NUMBER_COLUMNS = ("company_number", "charity_number", "supplier_company_number")


def supplier_overlap(store: Store, place_id: str, financial_year: str) -> rules.Overlap:
    """Suppliers paid by more than one agency in the year: the agencies' own lines, as
    paid (not apportioned), plus the grants that leave the place."""
    place = place_of(store, place_id)
    lines = current_lines(place_id, financial_year, store)
    held = set(lines.collect_schema().names())
    number = next((c for c in NUMBER_COLUMNS if c in held), None)
    columns = [pl.col("agency_id"), pl.col("supplier").cast(pl.String)]
    columns.append(
        (pl.col(number) if number else pl.lit("")).cast(pl.String).fill_null("").alias("_no")
    )
    payments = []
    if "supplier" in held:
        summed = (
            lines.select([*columns, pl.col("amount_pence")])
            .filter(pl.col("supplier").is_not_null())
            .group_by("agency_id", "supplier", "_no")
            .agg(pl.col("amount_pence").sum())
            .collect()
        )
        payments = [rules.Payment(a, s, int(p), n) for a, s, n, p in summed.iter_rows()]
    for flow in flows_of(store, place_id):
        if flow.financial_year == financial_year and rules.kind_of(flow, set(place.agencies)) == (
            "leaving"
        ):
            payments.append(
                rules.Payment(flow.from_id, flow.to_id, flow.amount_pence, _number_of(flow.to_id))
            )
    return rules.supplier_overlap(payments)


def _number_of(identifier: str) -> str:
    """An org-id names its register: GB-CHC-1234567 is a charity, GB-COH-01234567 a company."""
    for prefix in ("GB-CHC-", "GB-COH-"):
        if identifier.upper().startswith(prefix):
            return identifier[len(prefix) :]
    return ""


def overlap_json(overlap: rules.Overlap, financial_year: str) -> dict[str, Any]:
    body = {
        "financial_year": financial_year,
        "suppliers_seen": overlap.suppliers_seen,
        "shared_suppliers": len(overlap.suppliers),
        "total_gbp": _gbp(overlap.total_pence),
        "by_agency": [{"agency_id": a, "gbp": _gbp(p)} for a, p in overlap.by_agency.items()],
        "suppliers": [
            {
                "supplier": s.key,
                "names": s.names,
                "matched_by": s.matched_by,
                "total_gbp": _gbp(s.total_pence),
                "by_agency": [{"agency_id": a, "gbp": _gbp(p)} for a, p in s.by_agency.items()],
            }
            for s in overlap.suppliers
        ],
    }
    result: dict[str, Any] = pounds_as_numbers(body)
    return result


def reconciliation(store: Store, place_id: str, financial_year: str) -> list[rules.Reconciliation]:
    """Where an agency's lines name a funding source, the flows into it beside them."""
    place = place_of(store, place_id)
    lines = current_lines(place_id, financial_year, store)
    if "funding_source" not in lines.collect_schema().names():
        return []
    summed = (
        lines.filter(pl.col("funding_source").is_not_null() & (pl.col("funding_source") != ""))
        .group_by("agency_id", "funding_source")
        .agg(pl.col("amount_pence").sum())
        .collect()
    )
    by_source = {(a, s): int(p) for a, s, p in summed.iter_rows()}
    chosen = [f for f in flows_of(store, place_id) if f.financial_year == financial_year]
    # Only agencies that flows reach: the others' funding sources have nothing beside them.
    reached = {f.to_id for f in chosen}
    wanted = {k: v for k, v in by_source.items() if k[0] in reached}
    return rules.reconcile(wanted, chosen, place.agencies)


# ---- the deep-dive page -------------------------------------------------------------------------


@dataclass(frozen=True)
class DeepDive:
    place: Place
    financial_year: str
    years: list[str]
    flows: rules.FlowSummary
    sankey_svg: str
    sankey_rows: list[tuple[str, str, int]]  # from, to, pence: the picture as a table
    themes: ThemeView
    overlap: rules.Overlap
    reconciliation: list[rules.Reconciliation]
    names: dict[str, str]


_NO_THEMES = rules.ThemeCount([], 0, 0)


def deep_dive(store: Store, place_id: str, financial_year: str | None = None) -> DeepDive:
    place = place_of(store, place_id)
    years = flow_years(store, place_id)
    year = financial_year if financial_year in years else (years[0] if years else "")
    flows = [f for f in flows_of(store, place_id) if f.financial_year == year]
    summary = rules.summarise_flows(flows, place.agencies, year)
    links = rules.sankey_links(flows, place.agencies)
    names = {f.from_id: f.from_name for f in flows if f.from_name} | {
        f"out:{f.to_id}": f.to_name for f in flows if f.to_name
    }
    names |= {f"agency:{a}": n for a, n in place.agencies.items()} | dict(place.agencies)
    svg = rules.sankey_svg(links, names, f"Funding flows through {place.name}, {year}")
    rows = [
        (_label(link.source, names), _label(link.target, names), link.pence)
        for link in sorted(links, key=lambda k: (-k.pence, k.source, k.target))
    ]
    return DeepDive(
        place=place,
        financial_year=year,
        years=years,
        flows=summary,
        sankey_svg=svg,
        sankey_rows=rows,
        # A place with no lines nor flows yet shows the page, empty, and says so.
        themes=theme_count(store, place_id, year) if year else ThemeView(_NO_THEMES, [], []),
        overlap=supplier_overlap(store, place_id, year) if year else rules.Overlap([], {}, 0),
        reconciliation=reconciliation(store, place_id, year) if year else [],
        names=names,
    )


def _label(node: str, names: Mapping[str, str]) -> str:
    return names.get(node, node.split(":", 1)[-1])


ILLUSTRATIVE = "Illustrative:"


def illustrative(store: Store, place_id: str) -> list[str]:
    """What the page must say is illustrative: the bases of rules that say so."""
    return sorted({r.basis for r in rules_of(store, place_id) if r.basis.startswith(ILLUSTRATIVE)})
