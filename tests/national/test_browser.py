"""The national map, table and a district's count in a real browser, checked with axe, at
a phone's width and a desktop's; screenshots for the user guide when
TOTALPLACE_SCREENSHOTS=1."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.core.test_browser import Person, browser, fits, server  # noqa: F401 (fixtures)
from tests.workspace import Workspace

pytest.importorskip("playwright.sync_api")


def test_national_map_and_table_in_the_browser(
    workspace: Workspace,
    server: str,  # noqa: F811
    browser: Any,  # noqa: F811
    request: pytest.FixtureRequest,
) -> None:
    person = Person(browser, server, shots="sqlite" in request.node.name)
    person.sign_in("viewer@testshire.test")
    person.go("/national")
    page = person.page
    assert page.locator("svg a path").count() == 309
    fits(person, "80-national-map")
    # The filter form narrows the table; the map keeps every district, others faded.
    page.select_option("#f-region", "North West")
    page.select_option("#f-layer", "local")
    page.click("button:has-text('Show')")
    page.wait_for_url("**/national?*region=North+West*")
    person.check()
    assert page.locator("table").first.locator("tbody tr").count() == 39
    assert page.locator("svg a path[fill-opacity]").count() == 309 - 39
    # Sort by name, then open a district from the map.
    page.click("th a:has-text('District')")
    page.wait_for_url("**sort=name*")
    person.check()
    page.locator("svg a[href='/national/districts/E08000009']").click()
    page.wait_for_url("**/national/districts/E08000009")
    person.check()
    assert "Greater Manchester Police" in page.inner_text("main")
    fits(person, "81-national-district")
    person.go("/national")
    with page.expect_download() as download:
        page.click("a:has-text('Download this table (CSV)')")
    text = Path(download.value.path()).read_text()
    assert len(text.splitlines()) == 310
