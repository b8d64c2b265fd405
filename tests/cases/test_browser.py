"""A person with no files builds a case, a journey and a model from forms in a real
browser and sees their results; deletes a case and restores it; a viewer reads it. Every
page is checked with axe, and each form fits a phone's width and a laptop's
(screenshots for the user guide when TOTALPLACE_SCREENSHOTS=1)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.core.test_browser import Person, browser, fits, server  # noqa: F401 (fixtures)
from tests.workspace import Workspace

pytest.importorskip("playwright.sync_api")
P = "/places/testshire"


def test_case_journey_and_model_from_forms(
    workspace: Workspace,
    server: str,  # noqa: F811
    browser: Any,  # noqa: F811
    request: pytest.FixtureRequest,
) -> None:
    analyst = Person(browser, server, shots="sqlite" in request.node.name)
    analyst.sign_in("analyst@testshire.test")
    page = analyst.page

    # A business case, built field by field; a mistake is shown on its field first.
    analyst.go(f"{P}/cases")
    page.click("a:has-text('Build a case in the page')")
    analyst.check()
    fits(analyst, "70-case-form")
    page.fill("#name", "Intensive family support")
    page.fill("#first_year", "2025")
    page.select_option("#costs-0-agency", "council")
    page.fill("#costs-0-from", "0")
    page.fill("#costs-0-amount", "100000")
    page.select_option("#benefits-0-agency", "pct")
    page.fill("#benefits-0-from", "1")
    page.fill("#benefits-0-to", "5")
    page.fill("#benefits-0-amount", "thirty thousand")
    page.click("#save")
    analyst.check()
    summary = page.inner_text(".govuk-error-summary")
    assert "enter a number" in summary and "2025" in summary
    fits(analyst, "71-case-form-errors")
    page.click(".govuk-error-summary a:has-text('enter a number')")
    page.fill("#benefits-0-amount", "30000")
    page.fill("#first_year", "2025-26")
    page.fill("#optimism_bias", "20")
    page.click("#save")
    analyst.check()
    assert page.inner_text("h1") == "Intensive family support"
    assert page.inner_text("#npv").startswith("£")
    assert "pct" in page.inner_text("#by-agency")

    # Deleted after asking, then restored from Recently deleted.
    page.click("a:has-text('Delete the case')")
    analyst.check()
    page.click("button:has-text('Yes, delete it')")
    page.wait_for_url("**/deleted")
    analyst.check()
    fits(analyst, "72-recently-deleted")
    page.click("button:has-text('Restore')")
    analyst.check()
    assert "Intensive family support is back where it was" in page.inner_text("#restored")
    analyst.go(f"{P}/cases")
    page.click("a:has-text('Intensive family support')")
    analyst.check()
    assert page.inner_text("h1") == "Intensive family support"
    case_page = page.url  # restored with a new number where the store gives one

    # A journey, step by step, one step changed.
    analyst.go(f"{P}/journeys")
    page.fill("#journey_id", "leaver-3")
    page.fill("#person", "A persona")
    page.fill("#cohort_per_year", "40")
    page.click("button:has-text('Start the journey')")
    analyst.check()
    for agency, service, day, cost in (
        ("Probation", "Induction", "0", "120"),
        ("Council", "Housing advice", "3", "80"),
    ):
        page.fill("#agency", agency)
        page.fill("#service", service)
        page.fill("#day", day)
        page.fill("#cost_gbp", cost)
        page.select_option("#outcome", "referred")
        page.click("button:has-text('Add the step')")
        analyst.check()
    assert "2 contacts with 2 agencies" in page.inner_text("#journey-summary")
    page.click("a:has-text('Change step 2')")
    analyst.check()
    fits(analyst, "73-journey-step")
    page.select_option("#outcome", "resolved")
    page.click("button:has-text('Save the step')")
    analyst.check()
    assert "resolved" in page.inner_text("#steps")

    # A cost-of-failure model: its shape, then its tables.
    analyst.go(f"{P}/models")
    page.click("a:has-text('Build a model in the page')")
    analyst.check()
    page.fill("#name", "Back to work")
    page.fill("#states", "in work, out of work")
    page.fill("#agencies", "dwp, council")
    page.fill("#strategies", "today, with support")
    page.click("button:has-text('Lay out the tables')")
    analyst.check()
    for field, value in {
        "start-1": "1",
        "cost-1-0": "5000",
        "cost-1-1": "800",
        "outcome-0": "1",
        "s0-p0-0-0": "C",
        "s0-p0-0-1": "0.1",
        "s0-p0-1-0": "0.2",
        "s0-p0-1-1": "C",
        "s1-p0-0-0": "C",
        "s1-p0-0-1": "0.05",
        "s1-p0-1-0": "0.4",
        "s1-p0-1-1": "0.5",
    }.items():
        page.fill(f"#{field}", value)
    page.fill("#outcome", "years_in_work")
    fits(analyst, "74-model-form")
    page.click("#save")
    analyst.check()
    assert "does not add up to 1" in page.inner_text(".govuk-error-summary")
    page.fill("#s1-p0-1-1", "C")
    page.click("#save")
    analyst.check()
    assert page.inner_text("h1") == "Back to work"
    assert "With support against today" in page.inner_text("main")
    fits(analyst, "75-model-result")

    # The budget impact of cutting the support, from that model, before the decision.
    analyst.go(f"{P}/models")
    page.click("a:has-text('Budget impact of a change')")
    analyst.check()
    page.select_option("#now", "with support")
    page.select_option("#after", "today")
    page.fill("#people", "100")
    page.click("button:has-text('Show the impact')")
    analyst.check()
    assert "dwp" in page.inner_text("#impact") and "2026-27" in page.inner_text("#impact")
    fits(analyst, "76-budget-impact")

    # A viewer reads the case, with nothing to change.
    viewer = Person(browser, server, shots=False)
    viewer.sign_in("viewer@testshire.test")
    viewer.go(case_page.removeprefix(server))
    assert viewer.page.inner_text("h1") == "Intensive family support"
    assert viewer.page.locator("a:has-text('Change the case')").count() == 0
