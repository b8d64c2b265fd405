"""A lead creates a place and manages its areas, populations, agencies and shares."""

from __future__ import annotations

from decimal import Decimal

from tests.workspace import Workspace, csrf
from totalplace.core.store import audit as audit_store
from totalplace.places import tables as place_tables


def test_create_and_manage_a_place(workspace: Workspace) -> None:
    someone = workspace.client("outsider")
    bad = someone.post(
        "/places",
        data={
            "csrf": csrf(someone, "/places"),
            "place_id": "Bad Id",
            "name": "X",
            "gss_codes": "E08000009",
        },
    )
    assert bad.status_code == 400
    assert "Use lower-case letters, digits and dashes" in bad.text
    made = someone.post(
        "/places",
        data={
            "csrf": csrf(someone, "/places"),
            "place_id": "wirral",
            "name": "Wirral",
            "gss_codes": "E08000015",
        },
    )
    assert made.status_code == 303 and made.headers["location"] == "/places/wirral/settings"
    settings = "/places/wirral/settings"
    token = csrf(someone, settings)
    wrong = someone.post(
        f"{settings}/population",
        data={"csrf": token, "gss_code": "E08000015", "year": "20x0", "population": "320,000"},
    )
    assert wrong.status_code == 400 and "four digits" in wrong.text
    for what, data in (
        ("population", {"gss_code": "E08000015", "year": "2020", "population": "324,336"}),
        (
            "agency",
            {
                "agency_id": "wirral-council",
                "name": "Wirral Council",
                "agency_type": "metropolitan district council",
            },
        ),
        (
            "agency",
            {
                "agency_id": "merseyside-police",
                "name": "Merseyside Police",
                "agency_type": "police",
            },
        ),
        (
            "share",
            {
                "agency_id": "merseyside-police",
                "share": "0.2285",
                "basis": "population",
                "source": "ONS mid-2020",
            },
        ),
        ("areas", {"gss_codes": "E08000015"}),
    ):
        response = someone.post(f"{settings}/{what}", data={"csrf": token, **data})
        assert response.status_code == 303, (what, response.text)
    with workspace.store.sessions() as session:
        assert [a.agency_id for a in place_tables.agencies(session, "wirral")] == [
            "merseyside-police",
            "wirral-council",
        ]
        assert place_tables.shares(session, "wirral") == {"merseyside-police": Decimal("0.2285")}
        assert [(p.year, p.population) for p in place_tables.populations(session, "wirral")] == [
            (2020, 324336)
        ]
        actions = [e.action for e in audit_store.audit_log(session, "wirral")]
    assert actions == [
        "create-place",
        "set-population",
        "add-agency",
        "add-agency",
        "set-share",
        "set-areas",
    ]
    too_big = someone.post(
        f"{settings}/share", data={"csrf": token, "agency_id": "merseyside-police", "share": "1.5"}
    )
    assert too_big.status_code == 400 and "from 0 to 1" in too_big.text
    page = someone.get("/places/wirral")
    assert "you are lead" in page.text
    # Someone else's place stays closed to them.
    assert workspace.client("lead").get("/places/wirral").status_code == 403
