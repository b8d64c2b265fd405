"""Benchmarking in the workspace: the form, the weights changing the peers, bad options on
the form, the published sets, and the roll-up page."""

from __future__ import annotations

import re

from tests.workspace import Workspace

P = "/places/testshire"


def _peers(text: str) -> list[str]:
    table = text.split('aria-label="The peer group"', 1)[1].split("</table>", 1)[0]
    return re.findall(r"peers\?district=(E\d{8})&amp;", table)


def test_the_page_shows_the_place_s_district_and_its_peers(workspace: Workspace) -> None:
    viewer = workspace.client("viewer")
    page = viewer.get(f"{P}/peers")
    assert page.status_code == 200
    assert "County Durham's peers" in page.text  # Testshire's area is E06000047
    assert len(_peers(page.text)) == 10
    assert 'optgroup label="This place"' in page.text
    assert 'id="w-income"' in page.text and 'value="1.0"' in page.text
    # the national count's figures beside the peers, and a chart for each outcome
    assert "Spending per head by function, 2017-18" in page.text
    assert 'href="/national/districts/E06000047?year=2017-18"' in page.text
    assert page.text.count("(this district)") == 1  # the trend table
    assert page.text.count('<table class="govuk-table" data-chart=') == 5
    # a year the national count does not hold: said, not guessed
    later = viewer.get(f"{P}/peers?year=2024-25")
    assert later.status_code == 200 and "is not available on this server" in later.text
    assert "style=" not in page.text  # the strict CSP


def test_changing_the_weights_changes_the_peers(workspace: Workspace) -> None:
    viewer = workspace.client("viewer")
    base = _peers(viewer.get(f"{P}/peers?district=E08000009&k=8").text)
    zeros = "&".join(
        f"w-{k}=0"
        for k in (
            "income",
            "employment",
            "education",
            "health",
            "crime",
            "barriers",
            "living",
            "population",
            "children",
            "older",
        )
    )
    changed = viewer.get(f"{P}/peers?district=E08000009&k=8&{zeros}&w-density=1&w-rural=1")
    assert changed.status_code == 200
    assert _peers(changed.text) != base and len(_peers(changed.text)) == 8
    assert 'id="w-income" name="w-income" inputmode="decimal" value="0"' in changed.text


def test_bad_options_are_shown_on_the_form(workspace: Workspace) -> None:
    viewer = workspace.client("viewer")
    bad = viewer.get(f"{P}/peers?district=E08000009&w-health=lots")
    assert bad.status_code == 400
    assert "govuk-error-summary" in bad.text and 'href="#w-health"' in bad.text
    assert 'id="w-health-error"' in bad.text
    k = viewer.get(f"{P}/peers?district=E08000009&k=99")
    assert k.status_code == 400 and 'href="#k"' in k.text
    unknown = viewer.get(f"{P}/peers?district=E10000017")
    assert (
        unknown.status_code == 400 and "is not an English local-authority district" in unknown.text
    )
    attack = viewer.get(f"{P}/peers?district=%3Cscript%3Ealert(1)%3C/script%3E")
    assert attack.status_code == 400 and "<script>alert(1)" not in attack.text


def test_a_published_set_is_shown_with_its_bands(workspace: Workspace) -> None:
    viewer = workspace.client("viewer")
    page = viewer.get(f"{P}/peers?district=E08000009&set=dfe-2021")
    assert page.status_code == 200
    assert "DfE statistical neighbours (2021 model)" in page.text
    assert "Hertfordshire" in page.text and "Very Close" in page.text
    shire = viewer.get(f"{P}/peers?district=E07000121&set=dfe-2021")
    assert "so this set has no group for it" in shire.text


def test_the_roll_up_page_shows_coverage(workspace: Workspace) -> None:
    viewer = workspace.client("viewer")
    page = viewer.get(f"{P}/peers/rollup")
    assert page.status_code == 200
    assert "Places counted" in page.text and "Testshire" in page.text
    assert "£4,300,001" in page.text  # the handmade count, as published
    assert "No function yet" not in page.text  # every pound of it has a function
    assert "never" not in page.text or "scaled" in page.text
    assert "No population was published" not in page.text
    empty = viewer.get(f"{P}/peers/rollup?year=2010-11")
    assert "No place on this server has published a count for 2010-11" in empty.text
    bad = viewer.get(f"{P}/peers/rollup?year=tomorrow")
    assert bad.status_code == 400 and "is not a financial year" in bad.text


def test_outsiders_cannot_read_a_place_s_benchmarking(workspace: Workspace) -> None:
    assert workspace.client("outsider").get(f"{P}/peers").status_code == 403
    assert workspace.client("outsider").get(f"{P}/peers/rollup").status_code == 403


def test_the_place_s_own_published_count_is_shown_beside_labelled(workspace: Workspace) -> None:
    from totalplace.count.service.publishing import publish

    publish(workspace.store, "testshire", "2017-18", "lead@testshire.test")
    page = workspace.client("viewer").get(f"{P}/peers?year=2017-18")
    assert page.status_code == 200
    assert "Testshire's own published count (v1)" in page.text
    assert "this place's own bottom-up count as published (version 1" in page.text
    # another district than the place's own: no own column
    other = workspace.client("viewer").get(f"{P}/peers?district=E08000009")
    assert "own published count" not in other.text
