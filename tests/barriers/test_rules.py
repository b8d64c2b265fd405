"""The barrier's rules: its workflow, its links, its tracking numbers, the roll-up."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from totalplace.barriers.rules import (
    NEXT,
    STATUSES,
    Barrier,
    Link,
    check_row,
    counted_by,
    links_text,
    move,
    parse_links,
    roll_up,
    safe_cell,
    tracking_number,
)


def barrier(title: str = "Ring-fence", owner: str = "DLUHC", rule: str = "Grant X") -> Barrier:
    return Barrier("P-B-001", title, "", "funding", owner, rule, "council", "", "2010-01-02")


def test_the_workflow_goes_raised_escalated_answered_resolved() -> None:
    b = barrier()
    for status, on in (
        ("escalated", "2010-02-01"),
        ("answered", "2010-03-01"),
        ("resolved", "2010-04-01"),
    ):
        b.steps.append(move(b, status, on, f"because {status}"))
    assert b.status == "resolved"
    assert [s.status for s in b.steps] == ["escalated", "answered", "resolved"]
    with pytest.raises(ValueError, match="closed"):
        move(b, "escalated", "2010-05-01", "again")


@pytest.mark.parametrize(
    ("status", "on", "reason", "said"),
    [
        ("resolved", "2010-02-01", "skip", "can go to escalated, declined"),
        ("escalated", "2009-12-31", "early", "before the barrier's last step"),
        ("escalated", "2010-02-30", "bad date", "not a date"),
        ("escalated", "2010-02-01", "   ", "say why"),
        ("lost", "2010-02-01", "what", "not a status"),
    ],
)
def test_a_step_out_of_order_or_without_its_reason_is_refused(
    status: str, on: str, reason: str, said: str
) -> None:
    with pytest.raises(ValueError, match=said):
        move(barrier(), status, on, reason)


@given(st.lists(st.sampled_from(STATUSES), max_size=8))
def test_any_walk_keeps_to_the_workflow(walk: list[str]) -> None:
    b = barrier()
    for status in walk:
        before = b.status
        try:
            b.steps.append(move(b, status, "2011-01-01", "a reason"))
        except ValueError:
            assert status not in NEXT[before]
        else:
            assert status in NEXT[before]
    assert b.status in STATUSES


def test_tracking_numbers_are_never_reused() -> None:
    assert tracking_number("trafford", []) == "TRAFFORD-B-001"
    assert tracking_number("trafford", ["TRAFFORD-B-001", "TRAFFORD-B-007"]) == "TRAFFORD-B-008"
    assert tracking_number("trafford", ["WIGAN-B-009"]) == "TRAFFORD-B-001"


def test_links_read_and_write_back() -> None:
    text = "case:Family support; journey:J1; stream:TF-1|Troubled Families; quote:voices/q3"
    links, wrong = parse_links(text)
    assert not wrong
    assert links[2] == Link("stream", "TF-1", "Troubled Families")
    assert links_text(links) == text
    assert parse_links("quote:q3; grant:x; case:")[1] == ["quote:q3", "grant:x", "case:"]


def test_a_row_is_checked_field_by_field() -> None:
    fields, problems = check_row(
        {
            "title": "",
            "kind": "weather",
            "owner": "HMT",
            "raised_by_agency": "council",
            "raised_on": "31/02/2010",
            "blocks": "case",
        },
        "b.csv",
        3,
    )
    assert fields is None
    found = {(p.code, p.column) for p in problems}
    assert found == {
        ("blank-value", "title"),
        ("bad-barrier", "kind"),
        ("bad-date", "raised_on"),
        ("bad-barrier", "blocks"),
    }
    assert all(p.row == 3 and p.file == "b.csv" for p in problems)
    fields, problems = check_row(
        {
            "title": "T",
            "kind": "Data sharing",
            "owner": "ICO",
            "raised_by_agency": "c",
            "raised_on": "02/01/2010",
        },
        "b.csv",
        2,
    )
    assert not problems and fields is not None
    assert fields["kind"] == "data-sharing" and fields["raised_on"] == "2010-01-02"


def test_the_same_barrier_from_two_places_is_one_group() -> None:
    one = barrier("Ring-fenced grant stops pooling", "DLUHC", "Grant X")
    two = barrier("The grant cannot be pooled", "  dluhc ", "grant  x.")
    other = barrier("Data may not be shared", "ICO", "Data sharing")
    groups = roll_up([("a", one, 100), ("b", two, 250), ("b", other, 0)])
    assert len(groups) == 2
    first = groups[0]
    assert first.places == ["a", "b"] and first.blocked_pence == 350
    assert counted_by(groups, "owner") == {"DLUHC": 2, "ICO": 1}
    assert counted_by(groups, "kind") == {"Funding rules and ring-fences": 3}


@pytest.mark.parametrize("text", ["=1+2", "+SUM(A1)", "-3", "@cmd", "\tx"])
def test_formula_like_cells_are_made_text(text: str) -> None:
    assert safe_cell(text) == "'" + text
    assert safe_cell("Ring-fence") == "Ring-fence"
    assert safe_cell(12) == 12
