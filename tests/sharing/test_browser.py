"""The demo's story pages in a real browser, each checked with axe and for sideways scroll
at a phone's width: sharing the savings, the learning history's quote bank and sections."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from tests.core.test_browser import Person, browser, fits, free_port  # noqa: F401 (a fixture)
from totalplace.core.config import Settings
from totalplace.core.web.app import create_app

pytest.importorskip("playwright.sync_api")
T = "/places/trafford"
HISTORY = f"{T}/history/Illustrative demo interviews"


@pytest.fixture
def demo_site(sqlite_store: Any, tmp_path: Path) -> Iterator[tuple[str, str, str]]:
    from totalplace.demo.service import prepare_workspace

    email, password = prepare_workspace(sqlite_store)
    app = create_app(Settings(home=tmp_path / "demo-web", database_url=""), sqlite_store)
    port = free_port()
    running = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    while not running.started:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", email, password
    running.should_exit = True
    thread.join(timeout=10)


def test_the_demo_story_in_the_browser(demo_site: tuple[str, str, str], browser: Any) -> None:  # noqa: F811
    base, email, password = demo_site
    person = Person(browser, base, shots=True)
    person.go("/login")
    person.page.fill("#email", email)
    person.page.fill("#password", password)
    person.page.click("button:has-text('Sign in')")
    person.page.wait_for_url("**/places")
    page = person.page

    person.go(f"{T}/sharing")
    assert page.locator("#shares tbody tr").count() == 4  # three agencies and the core row
    assert "Illustrative figures written for the demo" in page.inner_text("main")
    fits(person, "70-demo-sharing")

    person.go(HISTORY)
    assert "Asked: What worried you?" in page.inner_text("main")
    fits(person, "71-demo-history-quotes")

    # Sections edited in the page: add one, see its error when the title is missing.
    person.go(f"{HISTORY}/sections")
    fits(person, "72-demo-history-sections")
    page.click("button:has-text('Add the section')")
    person.check()
    assert page.locator(".govuk-error-summary").count() == 1
    page.fill("#new-title", "What we would do again")
    page.fill("#new-narrative", "Illustrative: the partners' closing reflections.")
    page.click("button:has-text('Add the section')")
    page.wait_for_url("**/sections")
    person.check()
    assert "4. What we would do again" in page.inner_text("main")
    page.click("button:has-text('Move up What we would do again')")
    page.wait_for_url("**/sections")
    person.check()
    assert "3. What we would do again" in page.inner_text("main")
    # Removing asks first, on a page of its own.
    page.click("a:has-text('Remove section 3')")
    person.check()
    assert "Remove section 3, What we would do again?" in page.inner_text("h1")
    fits(person, "73-demo-history-remove-section")
    page.click("button:has-text('Yes, remove section 3')")
    page.wait_for_url("**/sections")
    person.check()
    assert "What we would do again" not in page.inner_text("main")
