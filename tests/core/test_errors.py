"""The one error root: every problem code is raised somewhere a test can see it, and every
door shows a TotalplaceError the same way (the CLI's problems and exit 1, the API's JSON
with the error's status), never a traceback."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tests.helpers import DATA, HANDMADE, cli
from tests.workspace import Workspace
from totalplace.core.problems import PROBLEM_CODES, ImportRejected, NotFound, TotalplaceError
from totalplace.core.store.db import Store
from totalplace.core.years import FinancialYearError
from totalplace.count.service import returns as return_service
from totalplace.count.service.counting import count_place
from totalplace.journeys.rules.unitcosts import PriceYearError, uprate
from totalplace.models.service import models as model_service
from totalplace.people import service as people
from totalplace.places.service import places as place_service
from totalplace.places.service.packages import export_package, import_package

TESTS = Path(__file__).resolve().parents[1]


def test_every_problem_code_is_asserted_by_a_test() -> None:
    """A code nobody checks is a promise nobody keeps."""
    texts = [p.read_text() for p in TESTS.rglob("test_*.py") if p.name != "test_errors.py"]
    texts.append(Path(__file__).read_text().split("# -- the codes --")[-1])
    for code in PROBLEM_CODES:
        assert any(re.search(rf"[\"']{re.escape(code)}[\"']", t) for t in texts), code


def test_every_error_class_is_a_totalplace_error_with_a_documented_code() -> None:
    import totalplace.core.web.security  # noqa: F401  (SignInRequired)

    def all_subclasses(cls: type) -> list[type]:
        return [c for s in cls.__subclasses__() for c in (s, *all_subclasses(s))]

    for error in all_subclasses(TotalplaceError):
        assert error.code in PROBLEM_CODES, error
        assert 400 <= error.status < 500, error


# -- the codes --


def _package(tmp_path: Path) -> Path:
    folder = tmp_path / "package"
    shutil.copytree(HANDMADE, folder)
    return folder


def _codes(caught: pytest.ExceptionInfo[ImportRejected]) -> list[str]:
    return [p.code for p in caught.value.problems]


def test_duplicate_and_reserved_columns(sqlite_store: Store, tmp_path: Path) -> None:
    folder = _package(tmp_path)
    (folder / "agencies.csv").write_text(
        "agency_id,name,name,agency_type\ncouncil,A,B,unitary council\n"
    )
    with pytest.raises(ImportRejected) as caught:
        import_package(folder, store=sqlite_store)
    assert "duplicate-column" in _codes(caught)
    folder = _package(tmp_path / "two")
    returns = (folder / "returns.csv").read_text().splitlines()
    returns[0] += ",amount_pence"
    returns[1:] = [line + ",1" for line in returns[1:]]
    (folder / "returns.csv").write_text("\n".join(returns) + "\n")
    with pytest.raises(ImportRejected) as caught:
        import_package(folder, store=sqlite_store)
    assert "reserved-column" in _codes(caught)


def test_not_an_integer(sqlite_store: Store, tmp_path: Path) -> None:
    folder = _package(tmp_path)
    (folder / "populations.csv").write_text("gss_code,year,population\nE06000047,2009,12.5\n")
    with pytest.raises(ImportRejected) as caught:
        import_package(folder, store=sqlite_store)
    assert _codes(caught) == ["not-an-integer"]
    assert caught.value.problems[0].row == 2


def test_bad_date_and_empty_return(sqlite_store: Store, tmp_path: Path) -> None:
    import_package(HANDMADE, store=sqlite_store)
    ledger = tmp_path / "ledger.csv"
    ledger.write_text("Date,Supplier,Amount\nyesterday,Acme,10.00\n")
    with pytest.raises(ImportRejected) as caught:
        return_service.import_return(
            "council", [ledger], "2009-10", store=sqlite_store, place_id="testshire"
        )
    assert "bad-date" in _codes(caught)
    empty = tmp_path / "empty.csv"
    empty.write_text("Date,Supplier,Amount\n")
    with pytest.raises(ImportRejected) as caught:
        return_service.import_return(
            "council", [empty], "2009-10", store=sqlite_store, place_id="testshire"
        )
    assert "empty-return" in _codes(caught)


def test_unknown_place_and_not_found(sqlite_store: Store, tmp_path: Path) -> None:
    folder = _package(tmp_path)
    (folder / "apportionment.csv").write_text(
        "agency_id,place_id,share,basis,source\npolice,elsewhere,0.25,population,x\n"
    )
    with pytest.raises(ImportRejected) as caught:
        import_package(folder, store=sqlite_store)
    assert _codes(caught) == ["unknown-place"]
    with pytest.raises(NotFound) as missing:
        export_package("nowhere", tmp_path / "out", store=sqlite_store)
    assert [p.code for p in missing.value.problems] == ["not-found"]
    assert missing.value.status == 404


def test_bad_model(sqlite_store: Store) -> None:
    import_package(HANDMADE, store=sqlite_store)
    with pytest.raises(ImportRejected) as caught:
        model_service.add_model(sqlite_store, "testshire", b'{"name": 3}', "m.json", "me")
    assert "bad-model" in _codes(caught)


def test_bad_setting_and_people_request(sqlite_store: Store) -> None:
    import_package(HANDMADE, store=sqlite_store)
    with pytest.raises(place_service.PlaceError) as setting, sqlite_store.transaction() as session:
        place_service.set_population(session, "testshire", "E06000047", "2009", "many", "me")
    assert setting.value.problems[0].code == "bad-setting"
    assert setting.value.field
    with pytest.raises(people.PeopleError) as person, sqlite_store.transaction() as session:
        people.create_user(session, "not an address", "X", "a long passphrase here")
    assert person.value.problems[0].code == "people-request"


def test_bad_year_and_wrong_return_state(sqlite_store: Store) -> None:
    import_package(HANDMADE, store=sqlite_store)
    with pytest.raises(FinancialYearError) as counted:
        count_place("testshire", "2009-1", store=sqlite_store)
    assert counted.value.problems[0].code == "bad-financial-year"
    submission = return_service.import_return(
        "council",
        [DATA / "manchester_spend_over_500_2022-01.csv"],
        "2021-22",
        store=sqlite_store,
        place_id="testshire",
    ).submission_id
    with pytest.raises(return_service.ReturnStateError) as state:
        return_service.accept_return(sqlite_store, submission, "analyst")
    assert state.value.problems[0].code == "wrong-return-state"


def test_cannot_uprate() -> None:
    with pytest.raises(PriceYearError) as caught:
        uprate(100.0, "2024-25", "2017-18", {"2017-18": 100.0})
    assert caught.value.problems[0].code == "cannot-uprate"


def test_the_cli_prints_problems_and_exits_1(tmp_path: Path) -> None:
    env = {"TOTALPLACE_HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}
    result = cli("count", "nowhere", "--year", "2009-10", env=env, check=False)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "Error:" in result.stderr


def test_the_api_answers_problems_as_json(workspace: Workspace) -> None:
    response = workspace.client().get("/api/session")
    assert response.status_code == 401
    assert response.json()["detail"] == "Sign in first."
    assert response.json()["problems"][0]["code"] == "sign-in-required"
    analyst = workspace.client("analyst")
    answer = analyst.get("/api/places/testshire/count/2009-1")
    assert answer.status_code in (400, 404)
    assert "Traceback" not in answer.text


def test_bad_record(sqlite_store: Store) -> None:
    from totalplace.cases.tables import BusinessCase
    from totalplace.core.store import rows

    import_package(HANDMADE, store=sqlite_store)
    record = {"name": "x", "spec": {}, "added_by": "me", "added_at": "yesterday"}
    with pytest.raises(ImportRejected) as caught, sqlite_store.transaction() as session:
        rows.add_records(session, BusinessCase, "testshire", [record], "business_cases.json")
    assert _codes(caught) == ["bad-record"]
    problem = caught.value.problems[0]
    assert (problem.file, problem.row, problem.column) == ("business_cases.json", 1, "added_at")
