"""The demo's deep-dive page in a real browser: the Sankey picture and its table, the
theme count, shared suppliers, a download, and a rejected upload shown with its
problems; axe finds nothing serious, and the page fits a phone's width and a desktop's
(screenshots for the user guide when TOTALPLACE_SCREENSHOTS=1)."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from tests.core.test_browser import Person, browser, fits, free_port  # noqa: F401 (a fixture)
from totalplace.core.config import Settings
from totalplace.core.web.app import create_app

pytest.importorskip("playwright.sync_api")


def test_demo_deep_dive_in_the_browser(sqlite_store: Any, tmp_path: Path, browser: Any) -> None:  # noqa: F811
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
        person.go("/places/trafford/deepdive?year=2017-18")
        page = person.page
        main = page.inner_text("main")
        assert "Illustrative parts" in main and "2026-27 ledger" in main
        assert "Older people" in main
        # The picture: the council in the middle, its grants' recipients on the right
        # (the largest seven and the others), each band in the table below it.
        assert page.locator("svg.tp-sankey path").count() == 8
        rows = page.locator("table:has(caption:has-text('The picture as a table')) tbody tr")
        assert rows.count() == 8
        assert "£59,385.05" in main  # the 2017-18 grants leaving the council
        with page.expect_download() as download:
            page.click("a:has-text('Download the flows template (XLSX)')")
        assert Path(download.value.path()).read_bytes()[:2] == b"PK"
        fits(person, "90-deepdive")
        # 2016-17: the Ministry of Justice's grant enters, the council's grants leave.
        person.go("/places/trafford/deepdive?year=2016-17")
        assert "Entering: £402,765.00" in page.inner_text("main")
        assert "Ministry of Justice" in (page.text_content("svg.tp-sankey") or "")
        fits(person, "91-deepdive-2016-17")
        person.go("/places/trafford/deepdive?year=2017-18")
        # A file that is not a flows file: nothing imported, the problem on the form.
        bad = tmp_path / "notes.csv"
        bad.write_text("a,b\n1,2\n")
        page.set_input_files("#file", str(bad))
        page.click("button:has-text('Import the flows')")
        page.wait_for_selector(".govuk-error-summary")
        person.check()
        assert "no sheet has 360Giving headings" in page.inner_text(".govuk-error-summary")
        assert page.title().startswith("Error:")
    finally:
        running.should_exit = True
        thread.join(timeout=10)
