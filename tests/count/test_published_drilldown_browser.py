"""A viewer in a real browser drills from a published function to its agencies, and
reads the deep-dive page without its uploads; axe finds nothing serious, and both
pages fit a phone's width and a desktop's."""

from __future__ import annotations

from typing import Any

import pytest

from tests.core.test_browser import Person, browser, fits, server  # noqa: F401 (fixtures)
from tests.workspace import Workspace

pytest.importorskip("playwright.sync_api")


def test_a_viewer_drills_into_a_published_count(
    workspace: Workspace,
    server: str,  # noqa: F811
    browser: Any,  # noqa: F811
) -> None:
    person = Person(browser, server, shots=True)
    person.sign_in("viewer@testshire.test")
    person.go("/places/testshire/publications/2009-10/1")
    page = person.page
    page.click("table:has(caption:has-text('COFOG division')) a:has-text('Health')")
    page.wait_for_url("**/publications/2009-10/1/functions/07")
    person.check("95-published-function")
    main = page.inner_text("main")
    assert "published version 1" in main
    assert "Testshire" in main
    rows = page.locator("main table tbody tr")
    assert rows.count() >= 2
    assert "Warning" not in main
    fits(person, "95-published-function")
    person.go("/places/testshire/deepdive")
    main = page.inner_text("main")
    assert page.locator("main form").count() == 0
    assert "flows template" not in main
    fits(person, "96-deepdive-viewer")
