"""Benchmarking in a real browser: the peer group, the weights form, the published set and
the roll-up, checked with axe, at a phone's width and a laptop's."""

from __future__ import annotations

from typing import Any

import pytest

from tests.core.test_browser import Person, browser, fits, server  # noqa: F401 (fixtures)

pytest.importorskip("playwright.sync_api")


def test_benchmarking_in_the_browser(server: str, browser: Any) -> None:  # noqa: F811
    person = Person(browser, server, shots=True)
    person.sign_in("viewer@testshire.test")
    person.go("/places/testshire/peers?district=E08000009")
    person.check("85-peers")
    page = person.page
    first = page.locator("[aria-label='The peer group'] tbody tr").all_inner_texts()
    assert len(first) == 10 and "Stockport" in first[0]
    fits(person, "85-peers")
    # open the weights, leave deprivation out, show the peers again
    page.click("summary:has-text('Metrics and weights')")
    for key in ("income", "employment", "education", "health", "crime", "barriers", "living"):
        page.fill(f"#w-{key}", "0")
    page.click("button:has-text('Show the peers')")
    page.wait_for_url("**w-income=0**")
    person.check()
    second = page.locator("[aria-label='The peer group'] tbody tr").all_inner_texts()
    assert second != first
    # a bad weight is shown on the form, GOV.UK style, and still passes axe
    page.click("summary:has-text('Metrics and weights')")
    page.fill("#w-health", "lots")
    page.click("button:has-text('Show the peers')")
    page.wait_for_selector(".govuk-error-summary")
    person.check()
    assert page.locator("#w-health-error").count() == 1
    person.go("/places/testshire/peers?district=E08000009&set=dfe-2025")
    person.check()
    assert "Hertfordshire" in page.inner_text("main")
    person.go("/places/testshire/peers/rollup")
    person.check("86-peers-rollup")
    assert "Testshire" in page.inner_text("main")
    fits(person, "86-peers-rollup")
