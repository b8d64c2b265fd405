"""The demo's estate map in a real browser, checked with axe at a phone's width and a
desktop's; screenshots for the user guide when TOTALPLACE_SCREENSHOTS=1."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from tests.core.test_browser import Person, browser, free_port  # noqa: F401 (a fixture)
from totalplace.core.config import Settings
from totalplace.core.web.app import create_app

pytest.importorskip("playwright.sync_api")


def test_demo_estate_map_in_the_browser(sqlite_store: Any, tmp_path: Path, browser: Any) -> None:  # noqa: F811
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
        person.page.set_viewport_size({"width": 1280, "height": 900})
        person.go("/places/trafford/estate")
        person.check("60-demo-estate-1280")
        page = person.page
        assert page.locator("svg.tp-estate-map circle").count() > 500
        assert page.locator("svg.tp-estate-map path").count() == 22  # 21 wards, 1 boundary
        # every drawn layer is an agency of the demo place
        layers = page.locator("svg.tp-estate-map g.tp-estate-layer").evaluate_all(
            "gs => gs.map(g => g.dataset.agency)"
        )
        assert {"trafford-council", "nhs-dhsc", "gm-fire", "dwp", "moj"} <= set(layers)
        assert "Latitude and longitude look swapped: 1" in page.inner_text("main")
        # the filters are a GET form
        page.select_option("#f-agency", "dwp")
        page.click("button:has-text('Show these assets')")
        page.wait_for_url("**/estate?agency=dwp*")
        person.check()
        assert page.locator("svg.tp-estate-map circle").count() == 2
        with page.expect_download() as download:
            page.click("a:has-text('Download these assets (CSV)')")
        text = Path(download.value.path()).read_text()
        assert len(text.splitlines()) == 3 and "Stretford" in text
        page.set_viewport_size({"width": 390, "height": 844})
        person.go("/places/trafford/estate")
        person.check("61-demo-estate-390")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390 + 1, f"the page scrolls sideways at 390 px ({width} px)"
    finally:
        running.should_exit = True
        thread.join(timeout=10)
