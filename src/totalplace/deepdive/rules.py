"""Deep dives, pure: themes and their rules, funding flows through a place, duplication
between agencies, and the Sankey picture of the flows.

Amounts are integer pence throughout; nothing here reads files or the store.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal
from html import escape

# ---- themes ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Theme:
    theme_id: str
    name: str
    description: str = ""


# The themes the Total Place pilots chose for their deep dives (2009-10); a place may
# edit them. Identifiers are what lines' `themes` column and flows' `themes` name.
SHIPPED_THEMES: tuple[Theme, ...] = (
    Theme("older-people", "Older people", "Care, benefits and health for people over 65."),
    Theme("drugs-and-alcohol", "Drugs and alcohol", "Treatment, enforcement and prevention."),
    Theme(
        "children-and-families",
        "Children and families",
        "Early years, family support, children's social care.",
    ),
    Theme("offenders", "Offenders", "Offender management, youth justice, prison leavers."),
    Theme("worklessness", "Worklessness", "Out-of-work benefits, employment support, skills."),
    Theme("housing", "Housing", "Homelessness, housing support, housing benefit."),
    Theme("mental-health", "Mental health", "Mental health services across agencies."),
)

# What a theme rule can match, in the order they are listed: the line columns of the
# count's classification rules (docs/decisions/0401), and the codes a top-down line
# carries (a COFOG sub-function such as 10.2 Old age, a SeRCOP division).
THEME_FIELDS: tuple[tuple[str, str], ...] = (
    ("service", "Service"),
    ("cost_centre", "Cost centre"),
    ("expense_type", "Expense type"),
    ("supplier", "Supplier"),
    ("description", "Word in the description"),
    ("proclass", "Proclass code"),
    ("sercop", "SeRCOP code"),
    ("cofog", "COFOG code (and every code under it)"),
    ("funding_source", "Funding source"),
    ("agency", "Agency"),
)
THEME_FIELD_NAMES = tuple(name for name, _label in THEME_FIELDS)
# The line column each field reads (an agency rule reads the line's agency).
LINE_COLUMN = {name: ("agency_id" if name == "agency" else name) for name in THEME_FIELD_NAMES}
# A share may stand in for a broader apportionment (a place's share of people over 65
# instead of its share of all people), so it may pass 1; never this far, though.
MAX_SHARE = Decimal(10)


@dataclass(frozen=True)
class ThemeRule:
    theme_id: str
    field: str
    value: str
    # The part of a matching line's amount that belongs to the theme.
    share: Decimal = Decimal(1)
    basis: str = ""  # why that share: shown beside the figure


def match_key(value: str) -> str:
    """Rules match whatever the case or spacing, as the count's rules do."""
    return " ".join(value.split()).casefold()


def rule_matches(rule: ThemeRule, value: str | None) -> bool:
    if value is None or not value.strip():
        return False
    if rule.field == "description":
        pattern = r"(?<![a-z0-9])" + re.escape(match_key(rule.value)) + r"(?![a-z0-9])"
        return re.search(pattern, match_key(value)) is not None
    if rule.field == "cofog":
        code, wanted = value.strip(), rule.value.strip()
        return code == wanted or code.startswith(wanted + ".")
    return match_key(value) == match_key(rule.value)


def themes_of_line(
    line: Mapping[str, object], rules: Sequence[ThemeRule], known: Iterable[str]
) -> dict[str, Decimal]:
    """The themes a line belongs to, each with the share of it that belongs there: the
    line's own `themes` column (whole), and every rule that matches it (the largest
    share when several rules of one theme match)."""
    found: dict[str, Decimal] = {}
    wanted = set(known)
    own = line.get("themes")
    if isinstance(own, str):
        for theme in (t.strip() for t in own.split(";")):
            if theme in wanted:
                found[theme] = Decimal(1)
    for rule in rules:
        value = line.get(LINE_COLUMN[rule.field])
        text = value if isinstance(value, str) else None
        if rule.theme_id in wanted and rule_matches(rule, text):
            found[rule.theme_id] = max(found.get(rule.theme_id, Decimal(0)), rule.share)
    return found


def share_of(pence: int, share: Decimal) -> int:
    return int((Decimal(pence) * share).quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


@dataclass(frozen=True)
class ThemedLine:
    """A line of the count, with what the theme count needs of it."""

    agency_id: str
    cofog: str  # "" when unclassified
    funding_source: str
    amount_pence: int
    estimate: bool
    themes: Mapping[str, Decimal]  # theme -> share
    lines: int = 1  # how many of the count's lines this stands for


@dataclass
class ThemeTotal:
    theme_id: str
    name: str
    total_pence: int = 0
    estimated_pence: int = 0  # of which top-down estimates
    shared_pence: int = 0  # of which counted by a share below the whole line
    lines: int = 0
    by_agency: dict[str, int] = field(default_factory=dict)
    by_function: dict[str, int] = field(default_factory=dict)
    by_funding_source: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class ThemeCount:
    themes: list[ThemeTotal]
    # Every line in any theme counted once, at the largest share it has in any theme.
    total_pence: int
    lines: int


def theme_count(lines: Iterable[ThemedLine], themes: Sequence[Theme]) -> ThemeCount:
    totals = {t.theme_id: ThemeTotal(t.theme_id, t.name) for t in themes}
    total = 0
    count = 0
    for line in lines:
        chosen = {k: v for k, v in line.themes.items() if k in totals}
        if not chosen:
            continue
        count += line.lines
        total += share_of(line.amount_pence, max(chosen.values()))
        for theme_id, share in chosen.items():
            part = share_of(line.amount_pence, share)
            item = totals[theme_id]
            item.total_pence += part
            item.lines += line.lines
            if line.estimate:
                item.estimated_pence += part
            if share != 1:
                item.shared_pence += part
            _add(item.by_agency, line.agency_id, part)
            _add(item.by_function, line.cofog[:2] if line.cofog else "", part)
            _add(item.by_funding_source, line.funding_source, part)
    return ThemeCount(list(totals.values()), total, count)


def _add(into: dict[str, int], key: str, pence: int) -> None:
    into[key] = into.get(key, 0) + pence


# ---- funding flows --------------------------------------------------------------------


@dataclass(frozen=True)
class Flow:
    flow_id: str
    stream: str
    from_id: str
    to_id: str
    financial_year: str
    amount_pence: int
    themes: tuple[str, ...] = ()
    ring_fenced: bool | None = None
    conditions: str = ""
    reporting: str = ""
    from_name: str = ""  # the payer's name, for people (a grants file gives it)
    to_name: str = ""


def split_themes(text: str) -> tuple[str, ...]:
    return tuple(sorted({t.strip() for t in text.split(";") if t.strip()}))


@dataclass(frozen=True)
class StreamSummary:
    stream: str
    entering_pence: int
    funders: list[str]
    recipients: list[str]
    themes: list[str]
    ring_fenced: bool | None
    conditions: list[str]
    reporting: list[str]


@dataclass(frozen=True)
class ThemeStreams:
    theme: str
    streams: int
    entering_pence: int
    stream_names: list[str]


@dataclass(frozen=True)
class FlowSummary:
    financial_year: str
    entering_pence: int  # from outside the place to its agencies: counted once
    within_pence: int  # passed on between its agencies: already counted on entering
    leaving_pence: int  # from its agencies to outside
    outside_pence: int  # between two bodies outside the place: not the place's money
    naive_pence: int  # every flow added up, as a plain sum would
    by_agency: list[tuple[str, int]]  # what each agency holds after passing money on
    streams: list[StreamSummary]
    by_theme: list[ThemeStreams]
    ring_fenced_pence: int  # of the entering money, in ring-fenced streams
    flows: int


def kind_of(flow: Flow, agencies: set[str]) -> str:
    inside_from, inside_to = flow.from_id in agencies, flow.to_id in agencies
    if inside_to and not inside_from:
        return "entering"
    if inside_from and inside_to:
        return "within"
    if inside_from:
        return "leaving"
    return "outside"


def summarise_flows(
    flows: Sequence[Flow], agencies: Iterable[str], financial_year: str
) -> FlowSummary:
    """Money entering the place once, however many times its agencies pass it on."""
    inside = set(agencies)
    chosen = [f for f in flows if f.financial_year == financial_year]
    sums: dict[str, int] = defaultdict(int)
    held: dict[str, int] = {a: 0 for a in sorted(inside)}
    for flow in chosen:
        kind = kind_of(flow, inside)
        sums[kind] += flow.amount_pence
        if flow.to_id in inside:
            held[flow.to_id] += flow.amount_pence
        if flow.from_id in inside:
            held[flow.from_id] -= flow.amount_pence
    streams = _streams(chosen, inside)
    ring_fenced = sum(s.entering_pence for s in streams if s.ring_fenced)
    return FlowSummary(
        financial_year=financial_year,
        entering_pence=sums["entering"],
        within_pence=sums["within"],
        leaving_pence=sums["leaving"],
        outside_pence=sums["outside"],
        naive_pence=sum(f.amount_pence for f in chosen),
        by_agency=[(a, p) for a, p in held.items() if p or _touches(chosen, a)],
        streams=streams,
        by_theme=_by_theme(chosen, inside),
        ring_fenced_pence=ring_fenced,
        flows=len(chosen),
    )


def _touches(flows: Sequence[Flow], agency_id: str) -> bool:
    return any(agency_id in (f.from_id, f.to_id) for f in flows)


def _streams(flows: Sequence[Flow], inside: set[str]) -> list[StreamSummary]:
    grouped: dict[str, list[Flow]] = defaultdict(list)
    for flow in flows:
        grouped[flow.stream].append(flow)
    out = []
    for stream, items in sorted(grouped.items()):
        payers = {f.from_id for f in items}
        payees = {f.to_id for f in items}
        marks = [f.ring_fenced for f in items if f.ring_fenced is not None]
        out.append(
            StreamSummary(
                stream=stream,
                entering_pence=sum(
                    f.amount_pence for f in items if kind_of(f, inside) == "entering"
                ),
                # Where the stream's money starts (nobody in the stream pays them) and
                # where it ends (they pass none of it on): a re-granting chain's middle
                # is neither.
                funders=sorted(payers - payees),
                recipients=sorted(payees - payers),
                themes=sorted({t for f in items for t in f.themes}),
                ring_fenced=(any(marks) if marks else None),
                conditions=sorted({f.conditions for f in items if f.conditions}),
                reporting=sorted({f.reporting for f in items if f.reporting}),
            )
        )
    return out


def _by_theme(flows: Sequence[Flow], inside: set[str]) -> list[ThemeStreams]:
    names: dict[str, set[str]] = defaultdict(set)
    entering: dict[str, int] = defaultdict(int)
    for flow in flows:
        for theme in flow.themes:
            names[theme].add(flow.stream)
            if kind_of(flow, inside) == "entering":
                entering[theme] += flow.amount_pence
    return [
        ThemeStreams(theme, len(names[theme]), entering[theme], sorted(names[theme]))
        for theme in sorted(names)
    ]


@dataclass(frozen=True)
class Reconciliation:
    """An agency's lines naming a funding source beside the flows into it."""

    agency_id: str
    funding_source: str
    lines_pence: int
    flows_pence: int

    @property
    def difference_pence(self) -> int:
        return self.lines_pence - self.flows_pence


def reconcile(
    lines: Mapping[tuple[str, str], int], flows: Sequence[Flow], agencies: Iterable[str]
) -> list[Reconciliation]:
    """`lines` is (agency, funding source) -> pence; a flow answers a funding source when
    its stream or its payer has the same name (any case or spacing)."""
    inside = set(agencies)
    into: dict[tuple[str, str], int] = defaultdict(int)
    for flow in flows:
        if flow.to_id in inside:
            for name in {match_key(flow.stream), match_key(flow.from_id)}:
                into[(flow.to_id, name)] += flow.amount_pence
    totals: dict[tuple[str, str], int] = defaultdict(int)
    names: dict[tuple[str, str], str] = {}
    for (agency, source), pence in lines.items():
        key = (agency, match_key(source))
        totals[key] += pence
        names.setdefault(key, source)
    return [
        Reconciliation(key[0], names[key], pence, into.get(key, 0))
        for key, pence in sorted(totals.items())
    ]


# ---- duplication ----------------------------------------------------------------------

_TRADING_AS = re.compile(r"\s+(?:t/a|t\\a|trading as|trading under)\s+", re.IGNORECASE)
_SUFFIXES = (
    "limited",
    "ltd",
    "plc",
    "llp",
    "lp",
    "cic",
    "cio",
    "co",
    "company",
    "uk ltd",
    "incorporated",
    "inc",
)
_WORDS = re.compile(r"[a-z0-9]+")


def normalise_supplier(name: str) -> str:
    """One key for the names agencies write for one supplier: case, accents and
    punctuation do not matter, `&` is `and`, Ltd is Limited (and both are dropped, as
    are PLC, LLP, CIC, CIO), a leading `The` goes, and `A Ltd t/a B` is A."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    parts = _TRADING_AS.split(f" {text.strip()} ", maxsplit=1)
    # The legal name comes before "t/a"; a name that starts with it has only the other.
    text = parts[0] if _WORDS.search(parts[0].casefold()) else parts[-1]
    text = text.casefold().replace("&", " and ").replace("+", " and ")
    words = _WORDS.findall(text.replace("'", ""))
    if words[:1] == ["the"] and len(words) > 1:
        words = words[1:]
    changed = True
    while changed and len(words) > 1:
        changed = False
        for suffix in _SUFFIXES:
            tail = suffix.split()
            if len(words) > len(tail) and words[-len(tail) :] == tail:
                words = words[: -len(tail)]
                changed = True
    return " ".join(words)


def normalise_number(number: str) -> str:
    """A company or charity number: digits and letters only, company numbers padded to
    eight characters as Companies House writes them (`SC012345`, `01234567`)."""
    text = re.sub(r"[^A-Za-z0-9]", "", number).upper()
    if text.isdigit() and len(text) < 8:
        return text.zfill(8)
    return text


@dataclass(frozen=True)
class Payment:
    agency_id: str
    supplier: str
    amount_pence: int
    number: str = ""  # a company or charity number, when the file gives one


@dataclass(frozen=True)
class SharedSupplier:
    key: str  # the normalised name, or `number:<n>` when matched by number
    names: list[str]  # as the agencies wrote them
    by_agency: dict[str, int]
    matched_by: str  # "number" or "name"

    @property
    def total_pence(self) -> int:
        return sum(self.by_agency.values())


@dataclass(frozen=True)
class Overlap:
    suppliers: list[SharedSupplier]
    by_agency: dict[str, int]  # each agency's spend with suppliers another agency pays too
    suppliers_seen: int

    @property
    def total_pence(self) -> int:
        return sum(self.by_agency.values())


def supplier_overlap(payments: Iterable[Payment]) -> Overlap:
    """Suppliers paid by more than one agency of the place. A number joins names that
    differ; a name joins payments where no number is given."""
    keyed: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    names: dict[str, set[str]] = defaultdict(set)
    numbered: dict[str, str] = {}  # normalised name -> number, where any payment had one
    items = [p for p in payments if p.supplier.strip()]
    for p in items:
        if p.number.strip():
            numbered.setdefault(normalise_supplier(p.supplier), normalise_number(p.number))
    for p in items:
        name = normalise_supplier(p.supplier)
        if not name:
            continue
        number = normalise_number(p.number) if p.number.strip() else numbered.get(name, "")
        key = f"number:{number}" if number else name
        keyed[key][p.agency_id] += p.amount_pence
        names[key].add(p.supplier.strip())
    shared = [
        SharedSupplier(key, sorted(names[key]), dict(sorted(by.items())), _matched(key))
        for key, by in keyed.items()
        if len(by) > 1
    ]
    shared.sort(key=lambda s: (-s.total_pence, s.key))
    by_agency: dict[str, int] = defaultdict(int)
    for item in shared:
        for agency, pence in item.by_agency.items():
            by_agency[agency] += pence
    return Overlap(shared, dict(sorted(by_agency.items())), len(keyed))


def _matched(key: str) -> str:
    return "number" if key.startswith("number:") else "name"


@dataclass(frozen=True)
class SameService:
    theme_id: str
    cofog_division: str
    by_agency: dict[str, int]

    @property
    def total_pence(self) -> int:
        return sum(self.by_agency.values())


def same_service(lines: Iterable[ThemedLine]) -> list[SameService]:
    """Where several agencies buy the same kind of service (one theme, one function):
    for the deep-dive team to examine, not a finding in itself."""
    cells: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for line in lines:
        if not line.cofog:
            continue
        for theme, share in line.themes.items():
            cells[(theme, line.cofog[:2])][line.agency_id] += share_of(line.amount_pence, share)
    found = [
        SameService(theme, division, dict(sorted(by.items())))
        for (theme, division), by in cells.items()
        if len([p for p in by.values() if p]) > 1
    ]
    return sorted(found, key=lambda s: (s.theme_id, -s.total_pence, s.cofog_division))


# ---- the Sankey picture ---------------------------------------------------------------

# Beyond this many nodes in a column, the smallest are drawn as one "others" node.
MAX_NODES = 8


@dataclass(frozen=True)
class Link:
    source: str
    target: str
    pence: int


def sankey_links(flows: Sequence[Flow], agencies: Iterable[str]) -> list[Link]:
    """Department -> agency -> provider: flows entering the place and leaving it (money
    passed between agencies is in the table, not the picture), the smallest nodes of a
    column gathered into one."""
    inside = set(agencies)
    entering: dict[tuple[str, str], int] = defaultdict(int)
    leaving: dict[tuple[str, str], int] = defaultdict(int)
    for flow in flows:
        kind = kind_of(flow, inside)
        if kind == "entering":
            entering[(flow.from_id, flow.to_id)] += flow.amount_pence
        elif kind == "leaving":
            leaving[(flow.from_id, flow.to_id)] += flow.amount_pence
    funders = _top(_sums(entering, 0))
    providers = _top(_sums(leaving, 1))
    links: dict[tuple[str, str], int] = defaultdict(int)
    for (source, target), pence in entering.items():
        links[(funders.get(source, source), "agency:" + target)] += pence
    for (source, target), pence in leaving.items():
        links[("agency:" + source, "out:" + providers.get(target, target))] += pence
    return [Link(s, t, p) for (s, t), p in sorted(links.items()) if p > 0]


def _sums(pairs: Mapping[tuple[str, str], int], end: int) -> dict[str, int]:
    out: dict[str, int] = defaultdict(int)
    for key, pence in pairs.items():
        out[key[end]] += pence
    return out


def _top(sums: Mapping[str, int]) -> dict[str, str]:
    ranked = sorted(sums, key=lambda k: (-sums[k], k))
    if len(ranked) <= MAX_NODES:
        return {k: k for k in ranked}
    others = f"{len(ranked) - MAX_NODES + 1} others"
    return {k: (k if i < MAX_NODES - 1 else others) for i, k in enumerate(ranked)}


def sankey_svg(links: Sequence[Link], names: Mapping[str, str], title: str) -> str:
    """The flows as an SVG picture: up to three columns (funders, the place's agencies,
    recipients outside), bands as wide as the money. Labels are the names given."""
    width, height, pad, bar = 960, 420, 14, 16
    columns: list[list[str]] = [[], [], []]
    sizes: dict[str, int] = defaultdict(int)
    for link in links:
        for node, end in ((link.source, "s"), (link.target, "t")):
            at = 1 if node.startswith("agency:") else (2 if node.startswith("out:") else 0)
            if node not in columns[at]:
                columns[at].append(node)
            sizes[(node + end)] += link.pence
    for node in {n for c in columns for n in c}:
        sizes[node] = max(sizes.get(node + "s", 0), sizes.get(node + "t", 0))
    total = max((sum(sizes[n] for n in c) for c in columns if c), default=0)
    if total <= 0:
        return ""
    usable = height - 2 * pad - pad * max(len(c) for c in columns)
    scale = usable / total
    # Only the columns that hold something take room (no funders: two columns).
    used = [i for i, c in enumerate(columns) if c]
    spots = (
        (230.0, width - 230.0 - bar)
        if len(used) == 2
        else (200.0, width / 2 - bar / 2, width - 200.0 - bar)
    )
    xs = {index: spots[n] for n, index in enumerate(used)}
    top: dict[str, float] = {}
    nodes: list[str] = []
    for index in used:
        column = sorted(columns[index], key=lambda n: -sizes[n])
        y = float(pad)
        first, last = index == used[0], index == used[-1]
        for node in column:
            h = max(sizes[node] * scale, 1.0)
            top[node] = y
            nodes.append(
                f'<rect x="{xs[index]:.1f}" y="{y:.1f}" width="{bar}" height="{h:.1f}" '
                f'fill="#1d70b8"/>'
            )
            # Labels outside the picture's edges; a middle column's over its bar.
            if first:
                anchor, tx = "end", xs[index] - 4
            elif last:
                anchor, tx = "start", xs[index] + bar + 4
            else:
                anchor, tx = "middle", xs[index] + bar / 2
            label = names.get(node, node.split(":", 1)[-1])
            nodes.append(
                f'<text x="{tx:.1f}" y="{y + h / 2 + 4:.1f}" text-anchor="{anchor}" '
                f'font-size="13" fill="#0b0c0c" stroke="#ffffff" stroke-width="3" '
                f'paint-order="stroke">{escape(_short(label))}</text>'
            )
            y += h + pad
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
        f'role="img" aria-labelledby="sankey-title" class="tp-sankey">',
        f'<title id="sankey-title">{escape(title)}</title>',
    ]
    out_y = dict(top)
    in_y = dict(top)
    for link in sorted(links, key=lambda k: (-k.pence, k.source, k.target)):
        h = max(link.pence * scale, 0.5)
        source_at = 1 if link.source.startswith("agency:") else 0
        target_at = 2 if link.target.startswith("out:") else 1
        x0, x1 = xs[source_at] + bar, xs[target_at]
        y0 = out_y[link.source] + h / 2
        y1 = in_y[link.target] + h / 2
        out_y[link.source] += h
        in_y[link.target] += h
        mid = (x0 + x1) / 2
        parts.append(
            f'<path d="M{x0:.1f},{y0:.1f} C{mid:.1f},{y0:.1f} {mid:.1f},{y1:.1f} '
            f'{x1:.1f},{y1:.1f}" stroke="#5694ca" stroke-opacity="0.45" '
            f'stroke-width="{h:.1f}" fill="none"/>'
        )
    parts.extend(nodes)
    parts.append("</svg>")
    return "".join(parts)


def _short(label: str, limit: int = 24) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"
