"""The contract: `totalplace barriers list PLACE [--json]`, `totalplace barriers add PLACE
FILE` and `totalplace report build PLACE --year FY --out DIR [--draft]`, run for real."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from openpyxl import Workbook

from tests.barriers.helpers import barriers_csv, row
from tests.helpers import HANDMADE, cli
from totalplace.core.config import Settings
from totalplace.core.store.db import open_store
from totalplace.count.service.publishing import publish


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    environ = dict(os.environ)
    environ["TOTALPLACE_HOME"] = str(tmp_path / "home")
    environ.pop("DATABASE_URL", None)
    cli("import", str(HANDMADE), env=environ)
    return environ


def test_barriers_add_and_list(env: dict[str, str], tmp_path: Path) -> None:
    path = tmp_path / "barriers.csv"
    path.write_bytes(barriers_csv([row(blocks="stream:TF-1|Troubled Families grant")]))
    added = cli("barriers", "add", "testshire", str(path), env=env)
    assert "Added 1 barrier(s) to testshire: TESTSHIRE-B-001." in added.stdout
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["title", "kind", "owner", "raised_by_agency", "raised_on"])
    sheet.append(["Data may not be shared", "data-sharing", "ICO", "Police", "2010-03-04"])
    book.save(tmp_path / "more.xlsx")
    cli("barriers", "add", "testshire", str(tmp_path / "more.xlsx"), env=env)
    listed = json.loads(cli("barriers", "list", "testshire", "--json", env=env).stdout)
    assert [b["tracking_number"] for b in listed] == ["TESTSHIRE-B-001", "TESTSHIRE-B-002"]
    assert listed[0]["status"] == "raised"
    assert listed[0]["blocks"] == [
        {"kind": "stream", "ref": "TF-1", "label": "Troubled Families grant"}
    ]
    assert listed[0]["blocked_present_value_gbp"] == "0.00"
    text = cli("barriers", "list", "testshire", env=env).stdout
    assert "TESTSHIRE-B-002 (raised) Data may not be shared, owner ICO" in text
    bad = tmp_path / "bad.csv"
    bad.write_bytes(barriers_csv([row(kind="weather", blocks="")]))
    refused = cli("barriers", "add", "testshire", str(bad), env=env, check=False)
    assert refused.returncode == 1
    assert "row 2, column 'kind'" in refused.stderr
    missing = cli("barriers", "add", "testshire", str(tmp_path / "none.csv"), env=env, check=False)
    assert missing.returncode == 1 and "does not exist" in missing.stderr


def test_report_build_writes_the_three_files(env: dict[str, str], tmp_path: Path) -> None:
    draft = cli(
        "report",
        "build",
        "testshire",
        "--year",
        "2009-10",
        "--out",
        str(tmp_path / "draft"),
        "--draft",
        env=env,
    )
    assert draft.stdout.startswith("Draft:")
    assert sorted(p.name for p in (tmp_path / "draft").iterdir()) == [
        "report.docx",
        "report.html",
        "report.pdf",
    ]
    assert "None yet." in (tmp_path / "draft" / "report.html").read_text()
    # Without a published count nothing can be issued.
    refused = cli(
        "report",
        "build",
        "testshire",
        "--year",
        "2009-10",
        "--out",
        str(tmp_path / "no"),
        env=env,
        check=False,
    )
    assert refused.returncode == 1 and "not published" in refused.stderr
    store = open_store(Settings.from_env(dict(env)))
    publish(store, "testshire", "2009-10", "lead@test")
    store.engine.dispose()
    issued = cli(
        "report",
        "build",
        "testshire",
        "--year",
        "2009-10",
        "--out",
        str(tmp_path / "v1"),
        "--stage",
        "final",
        env=env,
    )
    assert issued.stdout.startswith("Version 1 issued")
    html = (tmp_path / "v1" / "report.html").read_text()
    assert 'data-figure="count.total">£4,300,000.52<' in html
    listed = json.loads(cli("report", "list", "testshire", "--json", env=env).stdout)
    assert [(v["version"], v["stage"]) for v in listed] == [(1, "final")]
    cli("report", "build", "testshire", "--year", "2009-10", "--out", str(tmp_path / "v2"), env=env)
    compared = cli("report", "compare", "testshire", "1", "2", env=env).stdout
    assert "figure(s) unchanged" in compared
    bad_year = cli(
        "report",
        "build",
        "testshire",
        "--year",
        "2009",
        "--out",
        str(tmp_path),
        env=env,
        check=False,
    )
    assert bad_year.returncode == 1
