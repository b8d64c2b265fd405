"""The barriers register and the reports in a real browser, with axe on every page and
the pages at a phone's and a laptop's width."""

from __future__ import annotations

from typing import Any

from tests.barriers.helpers import fill, row
from tests.core.test_browser import Person, browser, fits, server
from tests.workspace import Workspace

__all__ = ["browser", "server"]  # the fixtures, used by name
P = "/places/testshire"


def test_barriers_and_reports_in_the_browser(
    workspace: Workspace, server: str, browser: Any
) -> None:
    fill(workspace.store)
    person = Person(browser, server, shots=True)
    person.sign_in("lead@testshire.test")
    person.go(f"{P}/barriers")
    assert "No barriers yet." in person.page.content()
    person.page.click("text=Raise a barrier")
    person.check()
    # Sent empty: the GOV.UK error pattern, on the form.
    person.page.click("button:has-text('Save the barrier')")
    person.check()
    assert person.page.locator(".govuk-error-summary").is_visible()
    fields = row()
    for name in ("title", "owner", "rule", "raised_by_agency", "raised_on", "blocks"):
        person.page.fill(f"#{name}", fields[name])
    person.page.select_option("#kind", "funding")
    person.page.click("button:has-text('Save the barrier')")
    person.page.wait_for_url("**/barriers/TESTSHIRE-B-001")
    person.check()
    person.page.fill("#reason", "Sent to the department")
    person.page.click("button:has-text('Save the step')")
    person.page.wait_for_url("**/barriers/TESTSHIRE-B-001")
    person.check()
    assert "escalated" in person.page.content()
    fits(person, "70-barrier")
    person.go(f"{P}/barriers")
    fits(person, "71-barriers")
    person.go("/barriers/national")
    fits(person, "72-barriers-national")

    person.go(f"{P}/reports")
    person.page.click("button:has-text('Preview the draft')")
    person.page.wait_for_url("**/reports/preview**")
    person.check()
    fits(person, "73-report-draft")
    person.page.click("button:has-text('Issue this report')")
    person.page.wait_for_url("**/reports/1")
    person.check()
    fits(person, "74-report-issued")
    person.go(f"{P}/reports/compare?before=1&after=1")
    fits(person, "75-report-compare")
    person.go("/reports/consolidated")
    fits(person, "76-reports-together")
