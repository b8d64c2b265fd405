"""The workspace in a real browser (Debian's Chromium, driven by Playwright), with
axe-core accessibility checks on every page visited and screenshots for the docs."""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from tests.count.test_workflow import messy_return
from tests.workspace import PASSWORD, Workspace
from totalplace.core.config import Settings
from totalplace.core.web.app import create_app
from totalplace.count.service.counting import count_place

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "docs" / "screenshots"
# Screenshots are refreshed on request only, so a test run leaves the checkout unchanged.
TAKE_SCREENSHOTS = os.environ.get("TOTALPLACE_SCREENSHOTS") == "1"
CASES = ROOT / "tests" / "data" / "cases"
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

playwright_api = pytest.importorskip("playwright.sync_api")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def server(workspace: Workspace) -> Iterator[str]:
    app = create_app(Settings(home=workspace.home, database_url=""), workspace.store)
    port = free_port()
    running = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not running.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert running.started, "the workspace did not start"
    yield f"http://127.0.0.1:{port}"
    running.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def browser() -> Iterator[Any]:
    assert Path(CHROMIUM).exists(), "Chromium is needed: apt-get install chromium"
    with playwright_api.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        launched.close()


class Person:
    """One person's browser window, checking each page it sees for accessibility."""

    def __init__(self, browser: Any, base: str, shots: bool) -> None:
        self.context = browser.new_context(
            viewport={"width": 1100, "height": 900}, accept_downloads=True
        )
        self.page = self.context.new_page()
        self.base = base
        self.shots = shots
        self.errors: list[str] = []
        self.page.on("console", self._console)

    def _console(self, message: Any) -> None:
        # A form shown again with its problems is answered 400 on purpose.
        if message.type == "error" and "status of 400" not in message.text:
            self.errors.append(message.text)

    def go(self, path: str) -> None:
        self.page.goto(self.base + path)
        self.check()

    def check(self, shot: str | None = None) -> None:
        violations = axe_violations(self.page)
        assert not violations, f"{self.page.url}: {violations}"
        assert not self.errors, f"{self.page.url}: browser errors {self.errors}"
        if shot and self.shots and TAKE_SCREENSHOTS:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            self.page.screenshot(path=str(SCREENSHOTS / f"{shot}.png"), full_page=True)

    def sign_in(self, email: str) -> None:
        self.go("/login")
        self.page.fill("#email", email)
        self.page.fill("#password", PASSWORD)
        self.page.click("button:has-text('Sign in')")
        self.page.wait_for_url("**/places")
        self.check()


def axe_violations(page: Any) -> list[str]:
    """Serious and critical axe-core violations, as readable lines."""
    page.evaluate(AXE.read_text())
    found = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.filter(v => ['serious', 'critical'].includes(v.impact))
            .map(v => v.id + ': ' + v.help + ' ('
                 + v.nodes.map(n => n.target.join(' ')).join(', ') + ')');
    }""")
    return list(found)


def test_count_together_in_the_browser(
    workspace: Workspace, server: str, browser: Any, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    shots = "sqlite" in request.node.name
    lead = Person(browser, server, shots)
    lead.sign_in("lead@testshire.test")
    lead.check("01-your-places")
    lead.go("/places/testshire")
    lead.check("02-place-task-list")
    lead.go("/places/testshire/people")
    lead.page.fill("#email", "finance@testshire.test")
    lead.page.select_option("#role", "contributor")
    lead.page.select_option("#agency_id", "council")
    lead.page.click("button:has-text('Create invitation link')")
    lead.check("03-invitation-link")
    link = lead.page.input_value("#invitation-link")

    contributor = Person(browser, server, shots)
    contributor.page.goto(link)
    contributor.check("04-accept-invitation")
    contributor.page.fill("#name", "Finance Officer")
    contributor.page.fill("#password", PASSWORD)
    contributor.page.click("button:has-text('Accept and continue')")
    contributor.page.wait_for_url("**/places")
    contributor.go("/places/testshire/returns")
    contributor.check("05-returns")
    contributor.page.click("a:has-text('Upload')")
    contributor.check("06-upload")
    bad = tmp_path / "april.xlsx"
    bad.write_bytes(messy_return("twelve"))
    contributor.page.fill("#year", "2010-11")
    contributor.page.set_input_files("#files", str(bad))
    contributor.page.click("button:has-text('Upload and check columns')")
    contributor.check("07-check-columns")
    assert contributor.page.input_value("#map-0-amount_gbp") == "Amount (£)"
    contributor.page.click("button:has-text('Import as a draft')")
    # The import runs as a job; its page polls (htmx) until the problems are shown.
    contributor.page.wait_for_selector("#problems", timeout=30000)
    contributor.check("08-problems-to-fix")
    # Each kind of problem once: its count, its columns, its first rows.
    row = contributor.page.locator("#problems tbody tr").first
    assert row.locator("td").nth(1).inner_text() == "1"
    assert row.locator("td").nth(2).inner_text() == "Amount (£)"
    assert "row 7" in row.locator("td").nth(3).inner_text()
    assert "'twelve' is not an amount" in row.inner_text()

    good = tmp_path / "april-fixed.xlsx"
    good.write_bytes(messy_return(300))
    contributor.page.fill("#year", "2010-11")
    contributor.page.set_input_files("#files", str(good))
    contributor.page.click("button:has-text('Upload and check columns')")
    contributor.check()
    contributor.page.click("button:has-text('Import as a draft')")
    contributor.page.wait_for_selector("#return-total", timeout=30000)
    contributor.check("09-draft-return")
    assert contributor.page.inner_text("#return-total") == "£13,800.50"
    contributor.page.click("button:has-text('Submit to the place')")
    contributor.check()
    assert contributor.page.inner_text("#status") == "submitted"
    return_url = contributor.page.url

    analyst = Person(browser, server, shots)
    analyst.sign_in("analyst@testshire.test")
    analyst.go(return_url.replace(server, ""))
    analyst.page.click("button:has-text('Accept into the count')")
    analyst.check()
    analyst.go("/places/testshire/count/2010-11")
    analyst.check("10-live-count")
    expected = count_place("testshire", "2010-11", store=workspace.store).total_pence
    # The council's new return replaces its earlier one for the year.
    assert expected == 1_380_050
    assert analyst.page.inner_text("#total") == "£13,800.50"
    with analyst.page.expect_download() as download:
        analyst.page.click("a:has-text('Download the count as XLSX')")
    assert download.value.suggested_filename == "testshire-2010-11-count.xlsx"
    analyst.page.click("a[href$='/functions/unclassified']")
    analyst.check("11-drill-down-function")
    analyst.page.click("a:has-text('Testshire Council')")
    analyst.check("12-drill-down-lines")
    analyst.go("/places/testshire/count/2010-11")
    analyst.page.click("a:has-text('Publish this count')")
    analyst.check("13a-publish-confirm")
    assert "has no function yet" in analyst.page.inner_text("#weaknesses")
    analyst.page.click("button:has-text('Yes, publish this count')")
    analyst.check("13-published-count")
    assert "version 1" in analyst.page.inner_text("main")

    # The contributor corrects the return; the analyst accepts and publishes again.
    again = tmp_path / "april-corrected.xlsx"
    again.write_bytes(messy_return(400))
    contributor.go("/places/testshire/agencies/council/upload")
    contributor.page.fill("#year", "2010-11")
    contributor.page.set_input_files("#files", str(again))
    contributor.page.click("button:has-text('Upload and check columns')")
    contributor.page.click("button:has-text('Import as a draft')")
    contributor.page.wait_for_selector("#return-total", timeout=30000)
    contributor.page.click("button:has-text('Submit to the place')")
    analyst.go(contributor.page.url.replace(server, ""))
    analyst.page.click("button:has-text('Accept into the count')")
    analyst.go("/places/testshire/count/2010-11")
    assert analyst.page.inner_text("#total") == "£13,900.50"
    analyst.page.click("a:has-text('Publish this count')")
    analyst.page.click("button:has-text('Yes, publish this count')")
    analyst.page.select_option("#before", "1")
    analyst.page.select_option("#after", "2")
    analyst.page.click("button:has-text('Compare')")
    analyst.check("14-what-changed")
    changed = analyst.page.inner_text("#returns-changed")
    assert "finance@testshire.test" in changed
    figures = analyst.page.inner_text("#figures-changed")
    assert "Total" in figures and "£100.00" in figures
    assert Decimal(
        count_place("testshire", "2010-11", store=workspace.store).total_pence
    ) == Decimal(1_390_050)

    # Invest to save: a case, then both cases pooled and shared.
    analyst.go("/places/testshire/cases")
    for name in ("family_support.json", "two_cases.json"):
        # A case names the place's own agencies: Testshire's NHS is its PCT.
        text = (CASES / name).read_text().replace('"nhs"', '"pct"')
        source = tmp_path / name
        if name == "two_cases.json":
            source.write_text(json.dumps(json.loads(text)["cases"][1]))
        else:
            source.write_text(text)
        analyst.go("/places/testshire/cases")
        analyst.page.set_input_files("#file", str(source))
        analyst.page.click("button:has-text('Add the case')")
        analyst.check("19-business-case" if name == "family_support.json" else None)
    assert analyst.page.inner_text("h1") == "Drug treatment in custody"
    analyst.go("/places/testshire/sharing")
    analyst.check("20-sharing-the-savings")
    assert "Nucleolus" in analyst.page.inner_text("#shares")

    # A journey and a cost-of-failure model, as evidence for the case.
    analyst.go("/places/testshire/journeys")
    analyst.page.set_input_files("#file", str(ROOT / "tests/data/journeys/prison_leaver.csv"))
    analyst.page.click("button:has-text('Add the journeys')")
    analyst.check("21-journey")
    assert "7 contacts with 5 agencies" in analyst.page.inner_text("#journey-summary")
    analyst.go("/places/testshire/models")
    analyst.page.set_input_files("#file", str(ROOT / "tests/data/models/hiv_chancellor_1997.json"))
    analyst.page.click("button:has-text('Add the model')")
    analyst.check("22-cost-of-failure-model")

    # The learning history: an interview imported, its quote bank checked.
    analyst.go("/places/testshire/history")
    analyst.page.fill("#project", "pilot")
    analyst.page.check("#kind-interview")
    analyst.page.set_input_files("#file", str(ROOT / "tests/data/history/interview.txt"))
    analyst.page.click("button:has-text('Import')")
    analyst.check("23-learning-history")
    assert "Jane" not in analyst.page.inner_text("main")

    lead.go("/places/testshire/audit")
    lead.check("15-audit-log")
    assert "accept-return" in lead.page.inner_text("main")
    lead.go("/places/testshire/settings")
    lead.check("16-settings")
    lead.go("/places/testshire/publications")
    lead.check("18-published-counts")
    lead.go("/account")
    lead.check()
    lead.page.goto(server + "/places/testshire/publications/2010-11/99")
    lead.errors.clear()  # the 404 is the point here
    lead.check()
    assert "There is no such publication" in lead.page.inner_text("main")
    lead.go("/places/testshire/classify?year=2010-11")
    lead.check("17-classify")
    # A code chosen in a row's select is saved only by the Save button.
    row = lead.page.locator("#codes tr:has-text('Adult Social Care')")
    row.locator("select").press("ArrowDown")
    assert "saved" not in lead.page.url
    row.locator("select").select_option("10.1")
    lead.page.click("button:has-text('Save the codes chosen')")
    lead.page.wait_for_selector("text=1 rule saved")
    lead.check()
    groups = {
        g.key: g.pence
        for g in count_place("testshire", "2010-11", store=workspace.store).by_cofog_group
    }
    assert groups["10.1"] == 1_200_000 + 40_000


def fits(person: Person, name: str) -> None:
    """The page at a phone's and a laptop's width: nothing wider than the window, and a
    screenshot of each for a person to look at."""
    for width in (390, 1280, 320):
        person.page.set_viewport_size({"width": width, "height": 900})
        overflow = person.page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        if overflow > 0:
            culprits = person.page.evaluate(
                """() => [...document.querySelectorAll('body *')]
                .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth
                        && !e.closest('.tp-scroll'))
                .slice(-8).map(e => e.tagName + '.' + e.className + ' '
                    + e.getBoundingClientRect().right + '/' + e.scrollWidth)
"""
            )
            raise AssertionError(
                f"{person.page.url} is {overflow}px too wide at {width}px: {culprits}"
            )
        if TAKE_SCREENSHOTS and width != 320:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            person.page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True)
    person.page.set_viewport_size({"width": 1100, "height": 900})


def test_a_police_ledger_with_no_service_column_is_classified_by_its_default(
    workspace: Workspace, server: str, browser: Any, tmp_path: Path
) -> None:
    ledger = tmp_path / "police-may.csv"
    ledger.write_text(
        "Date,Supplier,Expense Type,Amount\n"
        "01/05/2010,Vehicle Hire Ltd,Transport,1000.00\n"
        "02/05/2010,Payroll Bureau,Payroll services sla,2500.00\n"
        "03/05/2010,Vehicle Hire Ltd,Transport,-250.00\n",
        encoding="utf-8",
    )
    analyst = Person(browser, server, shots=False)
    analyst.sign_in("analyst@testshire.test")
    analyst.go("/places/testshire/agencies/police/upload")
    analyst.page.fill("#year", "2010-11")
    analyst.page.set_input_files("#files", str(ledger))
    analyst.page.click("button:has-text('Upload and check columns')")
    analyst.check()
    analyst.page.click("button:has-text('Import as a draft')")
    analyst.check()
    fits(analyst, "40-police-draft-return")
    analyst.page.click("button:has-text('Submit to the place')")
    analyst.check()
    analyst.page.click("button:has-text('Accept into the count')")
    analyst.check()
    assert analyst.page.inner_text("#status") == "current"

    analyst.go("/places/testshire/count/2010-11")
    assert "has no function yet" in analyst.page.inner_text("#unclassified")
    analyst.go("/places/testshire/classify?year=2010-11")
    fits(analyst, "41-classify-before")
    summary = analyst.page.inner_text("#unclassified-summary")
    assert "£812.50" in summary  # a quarter of the police's £3,250: its share of the place
    police = analyst.page.locator("#agency-police")
    assert "03.1 Police services" in police.inner_text()
    assert "the agency is a police" in police.inner_text()
    police.locator("select").press("ArrowDown")  # a key in a select saves nothing
    assert "saved" not in analyst.page.url
    police.locator("select").select_option("03.1")
    police.locator("button:has-text('Save')").click()
    analyst.page.wait_for_selector("text=1 rule saved")
    analyst.check()
    assert "0.0% unclassified" in analyst.page.inner_text("#unclassified-summary")
    fits(analyst, "42-classify-after")
    analyst.go("/places/testshire/count/2010-11")
    assert "0.0% of the total has no function yet" in analyst.page.inner_text("#unclassified")
    assert count_place("testshire", "2010-11", store=workspace.store).unclassified_pence == 0
    fits(analyst, "43-live-count")
    analyst.page.click("a[href$='/functions/03']")
    analyst.check()
    fits(analyst, "44-function")
    analyst.page.click("a:has-text('Four Counties Police')")
    analyst.check()
    fits(analyst, "45-lines")
    with analyst.page.expect_download() as download:
        analyst.page.click("a:has-text('as CSV')")
    assert download.value.suggested_filename.endswith("-lines.csv")
    analyst.go("/places/testshire/count/2010-11/publish")
    fits(analyst, "46-publish-confirm")
    analyst.go("/places/testshire/returns?year=2010-11")
    fits(analyst, "47-returns")
    # On a phone the navigation folds behind its Menu button.
    analyst.page.set_viewport_size({"width": 390, "height": 900})
    analyst.page.wait_for_selector("button.govuk-service-navigation__toggle", state="visible")
    assert not analyst.page.is_visible("#navigation")
    analyst.page.click("button.govuk-service-navigation__toggle")
    assert analyst.page.is_visible("#navigation")


def test_keyboard_reaches_the_content_and_focus_is_visible(
    workspace: Workspace, server: str, browser: Any
) -> None:
    person = Person(browser, server, shots=False)
    person.go("/login")
    person.page.keyboard.press("Tab")
    focused = person.page.evaluate("document.activeElement.className")
    assert "govuk-skip-link" in focused
    outline = person.page.evaluate(
        "getComputedStyle(document.activeElement).outlineStyle + ' ' + "
        "getComputedStyle(document.activeElement).backgroundColor"
    )
    assert outline != "none rgba(0, 0, 0, 0)"  # the focus state shows
    person.page.keyboard.press("Enter")
    for _ in range(3):
        person.page.keyboard.press("Tab")
        if person.page.evaluate("document.activeElement.id") == "email":
            break
    assert person.page.evaluate("document.activeElement.id") == "email"
    person.page.keyboard.type("lead@testshire.test")
    person.page.keyboard.press("Tab")
    person.page.keyboard.type(PASSWORD)
    person.page.keyboard.press("Enter")
    person.page.wait_for_url("**/places")


def test_demo_place_dashboard_in_the_browser(
    sqlite_store: Any, tmp_path: Path, browser: Any
) -> None:
    """The Trafford demo, as a newcomer sees it after `bash scripts/run`."""
    from totalplace.demo.service import prepare_workspace

    email, password = prepare_workspace(sqlite_store)
    app = create_app(Settings(home=tmp_path / "demo-web", database_url=""), sqlite_store)
    port = free_port()
    running = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    while not running.started:
        time.sleep(0.05)
    try:
        person = Person(browser, f"http://127.0.0.1:{port}", shots=True)
        person.go("/login")
        person.page.fill("#email", email)
        person.page.fill("#password", password)
        person.page.click("button:has-text('Sign in')")
        person.page.wait_for_url("**/places")
        person.go("/places/trafford")
        person.check("30-demo-place")
        person.page.click("a:has-text('2017-18, version 1')")
        person.check("31-demo-published-count")
        assert person.page.inner_text("#total") == "£2,128,267,253.99"
        person.go("/places/trafford/count/2017-18/functions/07")
        person.check("32-demo-health-by-agency")
        person.go("/places/trafford/returns?year=2026-27")
        person.check("33-demo-returns")
    finally:
        running.should_exit = True
        thread.join(timeout=10)


def test_api_docs_render_in_the_browser_under_the_csp(server: str, browser: Any) -> None:
    page = browser.new_page()
    refused: list[str] = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.goto(f"{server}/api/docs")
    page.wait_for_selector(".opblock", timeout=15000)
    operations = page.locator(".opblock-summary-path").all_inner_texts()
    assert "/api/places" in [o.replace("\u200b", "") for o in operations]
    assert refused == []
    page.close()
