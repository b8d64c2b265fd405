"""The deep dive's pure rules: flows counted once, themes counted fully in each and once
in the total, supplier names normalised, the Sankey picture."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from totalplace.deepdive import rules
from totalplace.deepdive.rules import Flow, ThemedLine, ThemeRule

AGENCIES = {"council", "ccg", "police"}


def flow(flow_id: str, source: str, target: str, pence: int, **extra: object) -> Flow:
    return Flow(
        flow_id,
        str(extra.pop("stream", "Supporting Families")),
        source,
        target,
        "2017-18",
        pence,
        **extra,
    )  # type: ignore[arg-type]


def test_money_passed_on_is_counted_once() -> None:
    flows = [
        flow("f1", "dfe", "council", 100_00),
        flow("f2", "council", "ccg", 30_00),  # passed on: it entered once, through f1
        flow("f3", "ccg", "provider-a", 20_00),
        flow("f4", "council", "provider-b", 10_00),
    ]
    summary = rules.summarise_flows(flows, AGENCIES, "2017-18")
    assert summary.naive_pence == 160_00  # what a plain sum says
    assert summary.entering_pence == 100_00
    assert summary.within_pence == 30_00
    assert summary.leaving_pence == 30_00
    assert dict(summary.by_agency) == {"council": 60_00, "ccg": 10_00}
    stream = summary.streams[0]
    # Where the stream's money starts and where it ends; the council passes it on.
    assert stream.funders == ["dfe"]
    assert stream.recipients == ["provider-a", "provider-b"]
    assert stream.entering_pence == 100_00


def test_other_years_and_other_places_money_stay_out() -> None:
    flows = [
        flow("f1", "dfe", "council", 100_00),
        Flow("f2", "S", "dfe", "council", "2018-19", 7_00),
        flow("f3", "dfe", "elsewhere", 5_00),
    ]
    summary = rules.summarise_flows(flows, AGENCIES, "2017-18")
    assert summary.entering_pence == 100_00
    assert summary.outside_pence == 5_00
    assert summary.flows == 2


def test_streams_per_theme_and_the_ring_fenced_share() -> None:
    flows = [
        flow(
            "a",
            "dclg",
            "council",
            50_00,
            stream="Homelessness Prevention",
            themes=("housing",),
            ring_fenced=True,
            reporting="Quarterly H-CLIC returns",
        ),
        flow(
            "b",
            "dwp",
            "council",
            20_00,
            stream="Housing Benefit Admin",
            themes=("housing",),
            ring_fenced=False,
        ),
        flow(
            "c",
            "dh",
            "ccg",
            40_00,
            stream="Better Care Fund",
            themes=("housing", "older-people"),
            ring_fenced=True,
        ),
    ]
    summary = rules.summarise_flows(flows, AGENCIES, "2017-18")
    themes = {t.theme: t for t in summary.by_theme}
    assert themes["housing"].streams == 3
    assert themes["housing"].entering_pence == 110_00
    assert themes["older-people"].streams == 1
    assert summary.ring_fenced_pence == 90_00
    homeless = next(s for s in summary.streams if s.stream == "Homelessness Prevention")
    assert homeless.reporting == ["Quarterly H-CLIC returns"]


ids = st.sampled_from(["council", "ccg", "police", "dfe", "dwp", "provider"])


@given(st.lists(st.tuples(ids, ids, st.integers(min_value=-(10**9), max_value=10**9)), max_size=30))
def test_what_agencies_hold_adds_up_to_entering_less_leaving(
    items: list[tuple[str, str, int]],
) -> None:
    flows = [flow(f"f{n}", a, b, p) for n, (a, b, p) in enumerate(items) if a != b]
    summary = rules.summarise_flows(flows, AGENCIES, "2017-18")
    held = sum(p for _a, p in summary.by_agency)
    assert held == summary.entering_pence - summary.leaving_pence
    assert (
        summary.entering_pence
        + summary.within_pence
        + summary.leaving_pence
        + summary.outside_pence
        == summary.naive_pence
    )


def line(pence: int, themes: dict[str, Decimal], agency: str = "council") -> ThemedLine:
    return ThemedLine(agency, "10.2", "", pence, False, themes)


THEMES = [rules.Theme("a", "A"), rules.Theme("b", "B"), rules.Theme("c", "C")]


def test_a_line_in_two_themes_counts_in_each_and_once_in_the_total() -> None:
    count = rules.theme_count(
        [line(100, {"a": Decimal(1), "b": Decimal(1)}), line(50, {"b": Decimal(1)})], THEMES
    )
    totals = {t.theme_id: t.total_pence for t in count.themes}
    assert totals == {"a": 100, "b": 150, "c": 0}
    assert count.total_pence == 150


@given(
    st.lists(
        st.tuples(
            st.integers(min_value=-(10**9), max_value=10**9),
            st.sets(st.sampled_from(["a", "b", "c"]), max_size=3),
        ),
        max_size=40,
    )
)
def test_themes_count_fully_in_each_and_once_in_the_total(
    items: list[tuple[int, set[str]]],
) -> None:
    lines = [line(p, {t: Decimal(1) for t in ts}) for p, ts in items]
    count = rules.theme_count(lines, THEMES)
    for theme in count.themes:
        assert theme.total_pence == sum(p for p, ts in items if theme.theme_id in ts)
    assert count.total_pence == sum(p for p, ts in items if ts)
    assert count.lines == sum(1 for _p, ts in items if ts)


def test_rules_match_any_column_and_a_share_applies() -> None:
    theme_rules = [
        ThemeRule("older-people", "cofog", "10.2", Decimal("1.1"), "over-65s"),
        ThemeRule("older-people", "service", "phys supp 85+ lt"),
        ThemeRule("drugs-and-alcohol", "description", "detox"),
        ThemeRule("housing", "supplier", "Places for People"),
    ]
    known = ["older-people", "drugs-and-alcohol", "housing"]
    assert rules.themes_of_line({"cofog": "10.2.1"}, theme_rules, known) == {
        "older-people": Decimal("1.1")
    }
    assert rules.themes_of_line({"cofog": "10.20"}, theme_rules, known) == {}
    assert rules.themes_of_line({"service": "PHYS SUPP  85+ LT"}, theme_rules, known) == {
        "older-people": Decimal(1)
    }
    found = rules.themes_of_line(
        {"description": "Residential DETOX, 2 weeks", "themes": "housing;unknown"},
        theme_rules,
        known,
    )
    assert found == {"drugs-and-alcohol": Decimal(1), "housing": Decimal(1)}
    assert rules.themes_of_line({"description": "detoxification"}, theme_rules, known) == {}
    assert rules.share_of(1001, Decimal("0.5")) == 500  # half to even


def test_supplier_names_are_normalised() -> None:
    same = [
        "NPOWER LTD",
        "npower",
        "Npower Limited",
        "The Npower Ltd.",
    ]
    assert {rules.normalise_supplier(n) for n in same} == {"npower"}
    assert rules.normalise_supplier("Fitness Warehouse Ltd T/A Gym Gear") == "fitness warehouse"
    assert rules.normalise_supplier("Age UK Salford & Trafford CIO") == (
        "age uk salford and trafford"
    )
    assert rules.normalise_supplier("Café Ltd") == "cafe"
    assert rules.normalise_supplier("Ltd") == "ltd"  # never down to nothing
    assert rules.normalise_supplier("T/A Gym Gear") == "gym gear"
    assert rules.normalise_supplier("The") == "the"
    assert rules.normalise_number("123456") == "00123456"
    assert rules.normalise_number("SC 012345") == "SC012345"


def test_a_number_joins_names_that_differ() -> None:
    overlap = rules.supplier_overlap(
        [
            rules.Payment("council", "Acme Care Ltd", 100, "01234567"),
            rules.Payment("ccg", "ACME HOMECARE", 50, "1234567"),
            rules.Payment("police", "acme care limited", 25),  # joins by its name
            rules.Payment("police", "Other Ltd", 10),
        ]
    )
    assert len(overlap.suppliers) == 1
    shared = overlap.suppliers[0]
    assert shared.matched_by == "number"
    assert shared.by_agency == {"ccg": 50, "council": 100, "police": 25}
    assert overlap.by_agency == {"ccg": 50, "council": 100, "police": 25}
    assert overlap.suppliers_seen == 2


def test_the_same_service_bought_by_several_agencies() -> None:
    found = rules.same_service(
        [
            line(100, {"a": Decimal(1)}, "council"),
            line(40, {"a": Decimal(1)}, "ccg"),
            line(7, {"b": Decimal(1)}, "ccg"),
        ]
    )
    assert [(s.theme_id, s.cofog_division, s.total_pence) for s in found] == [("a", "10", 140)]


def test_reconciling_lines_with_flows() -> None:
    flows = [flow("f1", "dfe", "council", 100_00, stream="Troubled Families")]
    found = rules.reconcile(
        {("council", "troubled  families"): 80_00, ("ccg", "BCF"): 5_00}, flows, AGENCIES
    )
    by = {(r.agency_id, r.funding_source): r for r in found}
    assert by[("council", "troubled  families")].flows_pence == 100_00
    assert by[("council", "troubled  families")].difference_pence == -20_00
    assert by[("ccg", "BCF")].flows_pence == 0


def test_the_sankey_picture_has_a_band_per_link_and_escapes_names() -> None:
    flows = [flow("f1", "dfe", "council", 100_00), flow("f2", "council", "p<1>", 60_00)]
    links = rules.sankey_links(flows, AGENCIES)
    assert [(k.source, k.target, k.pence) for k in links] == [
        ("agency:council", "out:p<1>", 60_00),
        ("dfe", "agency:council", 100_00),
    ]
    svg = rules.sankey_svg(links, {"agency:council": "Council & co"}, "Flows")
    assert svg.count("<path") == 2
    assert "Council &amp; co" in svg and "p&lt;1&gt;" in svg
    assert rules.sankey_svg([], {}, "none") == ""


def test_many_recipients_are_drawn_as_the_largest_and_the_others() -> None:
    flows = [flow(f"f{n}", "council", f"org{n}", (n + 1) * 100) for n in range(20)]
    links = rules.sankey_links(flows, AGENCIES)
    targets = {k.target for k in links}
    assert len(targets) == rules.MAX_NODES
    assert "out:13 others" in targets
    assert sum(k.pence for k in links) == sum(f.amount_pence for f in flows)


def test_the_flows_download_is_safe_in_a_spreadsheet() -> None:
    from totalplace.deepdive.files import flows_csv

    text = flows_csv([flow("f1", "council", "=HYPERLINK(1)", -5_00, to_name="@evil")]).decode()
    assert text.splitlines()[1] == (
        "f1,Supporting Families,council,'=HYPERLINK(1),2017-18,-5.00,,,,,,'@evil"
    )


@given(st.text(alphabet="abcAB &.-'()/t ltdLTDTheh", max_size=30))
def test_a_normalised_name_normalises_to_itself(name: str) -> None:
    once = rules.normalise_supplier(name)
    assert rules.normalise_supplier(once) == once
    if any(c.isalnum() for c in name):
        assert once  # a name with letters never becomes nothing
