"""The demo tells the whole story: every page a leader opens has content, and what is
illustrative says so on the page. The demo is built once for the module (it takes a while)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tests.workspace import csrf
from totalplace.core.config import Settings
from totalplace.core.problems import ImportRejected
from totalplace.core.store.db import Store, open_store
from totalplace.core.web.app import create_app

T = "/places/trafford"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Store, TestClient]]:
    from totalplace.demo.service import prepare_workspace

    home = tmp_path_factory.mktemp("story")
    store = open_store(Settings(home=home, database_url=f"sqlite:///{home / 'demo.db'}"))
    email, password = prepare_workspace(store)
    app = create_app(Settings(home=home, database_url=""), store, secure_cookies=False)
    client = TestClient(app, follow_redirects=False)
    signed_in = client.post(
        "/login", data={"email": email, "password": password, "csrf": csrf(client, "/login")}
    )
    assert signed_in.status_code == 303
    yield store, client


def text_of(html: str) -> str:
    main = html.split("<main", 1)[1]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main))


def links(html: str, prefix: str) -> list[str]:
    return sorted(set(re.findall(rf'href="({re.escape(prefix)}/\d+)"', html)))


def test_the_demo_has_journeys_with_their_costs(demo: tuple[Store, TestClient]) -> None:
    _, client = demo
    page = client.get(f"{T}/journeys")
    assert page.status_code == 200
    found = links(page.text, f"{T}/journeys")
    assert len(found) == 2
    for path in found:
        journey = client.get(path)
        assert journey.status_code == 200
        assert "<svg" in journey.text  # the swim lanes
        assert "(illustrative)" in journey.text  # costs written for the demo say so


def test_the_demo_has_a_cost_of_failure_model(demo: tuple[Store, TestClient]) -> None:
    _, client = demo
    page = client.get(f"{T}/models")
    [path] = links(page.text, f"{T}/models")
    model = text_of(client.get(path).text)
    assert "Prison leavers" in model and "Illustrative" in model
    assert "Housing and treatment on release" in model


def test_the_demo_has_three_cases_across_council_nhs_and_police(
    demo: tuple[Store, TestClient],
) -> None:
    _, client = demo
    page = client.get(f"{T}/cases")
    found = links(page.text, f"{T}/cases")
    assert len(found) == 3
    seen = ""
    for path in found:
        case = text_of(client.get(path).text)
        assert "Illustrative figures written for the demo" in case
        seen += case
    assert "Trafford Council" in seen or "trafford-council" in seen


def test_the_demo_shares_its_savings(demo: tuple[Store, TestClient]) -> None:
    _, client = demo
    page = client.get(f"{T}/sharing")
    assert page.status_code == 200
    body = text_of(page.text)
    assert "the pool runs 3 of 3" in body
    for agency in ("Trafford Council", "Greater Manchester Police"):
        assert agency in body
    assert body.count("Illustrative figures written for the demo") == 3


def test_the_demo_refuses_a_place_without_its_agencies(demo: tuple[Store, TestClient]) -> None:
    from totalplace.cases.demo import add_demo

    store, _ = demo
    with pytest.raises(ImportRejected) as caught:
        add_demo(store, "nowhere", print)
    assert {p.code for p in caught.value.problems} == {"unknown-agency"}
    assert "'gm-police'" in str(caught.value)


def test_the_demo_has_a_learning_history_with_approved_quotes(
    demo: tuple[Store, TestClient],
) -> None:
    import io

    from pypdf import PdfReader

    _, client = demo
    listing = client.get(f"{T}/history")
    assert "Illustrative demo interviews" in listing.text
    bank = client.get(f"{T}/history/Illustrative demo interviews")
    assert bank.status_code == 200
    assert "Asked: What worried you?" in bank.text  # the question is context, not a quote
    sections = text_of(client.get(f"{T}/history/Illustrative demo interviews/sections").text)
    assert "1. Counting what we spend" in sections and "3. Invest to save" in sections
    pdf = client.get(f"{T}/history/Illustrative demo interviews/document.pdf")
    text = " ".join(
        " ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf.content)).pages
    )
    assert "Illustrative interviews written for the demo" in text
    assert "Every agency did its job and the system still failed him." in text
    assert "Third sector partner" in text


EMPTY = re.compile(r"\bNo [a-z -]+ yet\b|There are no [a-z -]+ yet", re.IGNORECASE)


def test_every_page_in_the_menu_has_content(demo: tuple[Store, TestClient]) -> None:
    _, client = demo
    assert EMPTY.search("No cases yet.") and EMPTY.search("There are no business cases yet")
    place = client.get(T).text
    menu = sorted(set(re.findall(rf'href="({re.escape(T)}/[a-z-]+)"', place.split("<main")[0])))
    assert {f"{T}/sharing", f"{T}/history", f"{T}/cases", f"{T}/journeys"} <= set(menu)
    for path in menu:
        page = client.get(path)
        assert page.status_code == 200, path
        assert not EMPTY.search(text_of(page.text)), (path, EMPTY.search(text_of(page.text)))
