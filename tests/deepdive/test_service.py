"""The deep dive's use cases on a real store: a package whose flows a naive sum double
counts, Trafford's 360Giving grants with their totals checked independently, the flows
template, theme rules, supplier overlap on two real ledgers, and the flows command."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from tests.helpers import DATA, HANDMADE, cli
from totalplace.core.problems import ImportRejected
from totalplace.core.store.db import Store
from totalplace.count.service.returns import import_return
from totalplace.deepdive import service
from totalplace.places.service.packages import export_package, import_package

GRANTS = Path(service.__file__).parent / "data"
HERE = Path(__file__).parent / "data"
GRANTS_JSON = GRANTS / "trafford_council_voluntary_sector_grants.json"
GRANTS_CSV = GRANTS / "trafford_council_voluntary_sector_grants.csv"
MAPPING = {"GB-LAE-TRF": "council"}

# Department -> council -> (passed on) PCT -> provider; the council keeps part, the PCT
# pays a provider outside the place. A plain sum counts the £300,000 twice.
FLOWS = (HERE / "funding_flows.csv").read_text()


def package_with_flows(tmp_path: Path, flows: str = FLOWS) -> Path:
    folder = tmp_path / "package"
    shutil.copytree(HANDMADE, folder)
    (folder / "funding_flows.csv").write_text(flows)
    return folder


def test_a_package_whose_flows_a_naive_sum_double_counts(store: Store, tmp_path: Path) -> None:
    import_package(package_with_flows(tmp_path), store=store)
    summary = service.flow_summary(store, "testshire", "2009-10")
    assert summary.naive_pence == 180_000_000
    # Entering the place once: the department's £1m and the Home Office's £200k.
    assert summary.entering_pence == 120_000_000
    assert summary.within_pence == 35_000_000
    assert summary.leaving_pence == 25_000_000
    held = dict(summary.by_agency)
    assert held == {"council": 75_000_000, "pct": 5_000_000, "police": 15_000_000}
    assert sum(held.values()) == summary.entering_pence - summary.leaving_pence
    body = service.flows_json(summary)
    assert body["entering_gbp"] == 1200000.0 and body["within_gbp"] == 350000.0
    assert body["leaving_gbp"] == 250000.0
    themes = {t["theme"]: t for t in body["by_theme"]}
    assert themes["housing"]["streams"] == 1
    assert themes["housing"]["entering_gbp"] == 1000000.0
    streams = {s["stream"]: s for s in body["streams"]}
    assert streams["Supporting People"]["funders"] == ["dclg"]
    assert streams["Supporting People"]["recipients"] == ["care-provider"]
    assert streams["Supporting People"]["ring_fenced"] is True
    assert streams["Drug Intervention Programme"]["ring_fenced"] is False
    assert streams["Drug Intervention Programme"]["reporting"] == ["Monthly DIP reports"]


def test_the_flows_travel_with_the_place_byte_for_byte(store: Store, tmp_path: Path) -> None:
    import_package(package_with_flows(tmp_path), store=store)
    first = export_package("testshire", tmp_path / "first", store=store)
    text = (first / "funding_flows.csv").read_text()
    assert text.splitlines()[0].startswith(
        "flow_id,stream,from_id,to_id,financial_year,amount_gbp,themes,ring_fenced"
    )
    assert "f1,Supporting People,dclg,council,2009-10,1000000.00" in text
    import_package(first, store=store, replace=True)
    second = export_package("testshire", tmp_path / "second", store=store)
    assert (first / "funding_flows.csv").read_bytes() == (second / "funding_flows.csv").read_bytes()


def test_a_bad_flow_in_a_package_stops_the_import(store: Store, tmp_path: Path) -> None:
    bad = FLOWS.replace(
        "f2,Supporting People,council,pct,2009-10,300000.00,housing,true",
        "f2,Supporting People,council,pct,2009/10,300000.00,housing,maybe",
    )
    with pytest.raises(ImportRejected) as caught:
        import_package(package_with_flows(tmp_path, bad), store=store)
    found = {(p.code, p.row, p.column) for p in caught.value.problems}
    assert ("bad-financial-year", 3, "financial_year") in found
    assert ("bad-boolean", 3, "ring_fenced") in found
    # Amounts are read first, as pounds and pence, before any record is checked.
    with pytest.raises(ImportRejected) as caught:
        import_package(
            package_with_flows(tmp_path / "b", FLOWS.replace("300000.00", "3e5x")), store=store
        )
    assert [(p.code, p.row, p.column) for p in caught.value.problems] == [
        ("not-a-number", 3, "amount_gbp")
    ]


@pytest.fixture
def place(store: Store) -> Store:
    import_package(HANDMADE, store=store)
    return store


def csv_totals() -> tuple[int, Decimal, dict[str, Decimal]]:
    """The grants' count and totals, read with the csv module alone."""
    by_year: dict[str, Decimal] = defaultdict(Decimal)
    total = Decimal(0)
    with GRANTS_CSV.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        amount = Decimal(row["Amount Awarded"])
        year, month = int(row["Award Date"][:4]), int(row["Award Date"][5:7])
        start = year if month >= 4 else year - 1
        by_year[f"{start}-{(start + 1) % 100:02d}"] += amount
        total += amount
    return len(rows), total, dict(by_year)


def test_trafford_grants_from_360giving_json_with_totals_checked(place: Store) -> None:
    count, total, by_year = csv_totals()
    assert (count, total) == (555, Decimal("1291436.54"))  # as the source note says
    done = service.import_flows(
        place, "testshire", GRANTS_JSON.read_bytes(), GRANTS_JSON.name, "lead@test", MAPPING
    )
    assert (done.kind, done.added, done.replaced) == ("360Giving JSON", 555, 0)
    assert done.total_pence == int(total * 100)
    for year, pounds in by_year.items():
        summary = service.flow_summary(place, "testshire", year)
        # Every grant leaves the council for a body outside the place.
        assert summary.leaving_pence == int(pounds * 100), year
        assert summary.entering_pence == 0
        assert dict(summary.by_agency)["council"] == -int(pounds * 100)
    flows = service.flows_of(place, "testshire")
    assert {f.from_id for f in flows} == {"council"}
    assert {f.stream for f in flows} == {
        "Voluntary Sector Grants",
        "Inclusive Neighbourhood Grants",
    }


def test_the_same_grants_as_360giving_csv_are_the_same_flows(place: Store) -> None:
    service.import_flows(
        place, "testshire", GRANTS_CSV.read_bytes(), GRANTS_CSV.name, "lead@test", MAPPING
    )
    from_csv = {f.flow_id: f for f in service.flows_of(place, "testshire")}
    again = service.import_flows(
        place, "testshire", GRANTS_JSON.read_bytes(), GRANTS_JSON.name, "lead@test", MAPPING
    )
    assert (again.added, again.replaced) == (0, 555)
    from_json = {f.flow_id: f for f in service.flows_of(place, "testshire")}
    assert from_csv == from_json
    assert sum(f.amount_pence for f in from_csv.values()) == 129_143_654


def test_grants_of_no_agency_are_left_out_and_said_so(place: Store) -> None:
    done = service.import_flows(
        place, "testshire", GRANTS_JSON.read_bytes(), GRANTS_JSON.name, "lead@test"
    )
    # Unmapped, the funder is Trafford's council, not Testshire's: nothing is the place's.
    assert done.added == 0
    assert "555 grants (£1,291,436.54)" in done.notes[0]


def test_a_bad_grant_rejects_the_whole_file_with_its_row_and_column(place: Store) -> None:
    data = json.loads(GRANTS_JSON.read_bytes())
    data["grants"][2]["currency"] = "USD"
    data["grants"][4]["amountAwarded"] = "lots"
    data["grants"][5]["awardDate"] = "someday"
    data["grants"][6]["id"] = data["grants"][0]["id"]
    with pytest.raises(ImportRejected) as caught:
        service.import_flows(
            place, "testshire", json.dumps(data).encode(), "grants.json", "lead@test", MAPPING
        )
    found = {(p.code, p.row, p.column) for p in caught.value.problems}
    assert found == {
        ("not-gbp", 3, "grants[].currency"),
        ("not-a-number", 5, "grants[].amountAwarded"),
        ("bad-date", 6, "grants[].awardDate"),
        ("duplicate-key", 7, "grants[].id"),
    }
    assert service.flows_of(place, "testshire") == []
    with pytest.raises(ImportRejected) as caught:
        service.import_flows(place, "testshire", b'{"grant": []}', "x.json", "lead@test")
    assert [p.code for p in caught.value.problems] == ["not-a-grants-file"]


def test_a_bad_row_of_a_360giving_csv_names_its_row_and_column(place: Store) -> None:
    text = GRANTS_CSV.read_text(encoding="utf-8-sig").splitlines()
    header = next(csv.reader([text[0]]))
    row = next(csv.reader([text[1]]))
    row[header.index("Amount Awarded")] = "12,34.5.6"
    out = io.StringIO()
    csv.writer(out).writerows([header, next(csv.reader([text[2]])), row])
    with pytest.raises(ImportRejected) as caught:
        service.import_flows(
            place, "testshire", out.getvalue().encode(), "grants.csv", "lead@test", MAPPING
        )
    [problem] = caught.value.problems
    assert (problem.code, problem.row, problem.column) == ("not-a-number", 3, "Amount Awarded")
    with pytest.raises(ImportRejected) as caught:
        service.import_flows(place, "testshire", b"a,b\n1,2\n", "other.csv", "lead@test")
    assert [p.code for p in caught.value.problems] == ["not-a-grants-file"]


def test_a_mapping_to_no_agency_is_refused(place: Store) -> None:
    with pytest.raises(ImportRejected) as caught:
        service.import_flows(
            place, "testshire", GRANTS_JSON.read_bytes(), "g.json", "lead@test", {"X": "nobody"}
        )
    assert [p.code for p in caught.value.problems] == ["unknown-agency"]


def test_the_flows_template_filled_in_and_imported(place: Store, tmp_path: Path) -> None:
    workbook = openpyxl.load_workbook(io.BytesIO(service.template(place, "testshire")))
    assert workbook.sheetnames == ["Guide", "Flows", "Agencies", "Themes"]
    agencies = [r[0].value for r in workbook["Agencies"].iter_rows(min_row=2)]
    assert agencies == ["council", "dwp", "pct", "police"]
    sheet = workbook["Flows"]
    sheet.append(
        [
            "t1",
            "Troubled Families",
            "dclg",
            "council",
            "2009-10",
            400000,
            "children-and-families",
            "true",
            "",
            "Payment by results claims",
        ]
    )
    sheet.append(["t2", "Troubled Families", "council", "pct", "2009-10", 1250.5, "", "", "", ""])
    path = tmp_path / "flows.xlsx"
    workbook.save(path)
    done = service.import_flows(place, "testshire", path.read_bytes(), path.name, "lead@test")
    assert (done.kind, done.added, done.total_pence) == ("flows template", 2, 40_125_050)
    summary = service.flow_summary(place, "testshire", "2009-10")
    assert summary.entering_pence == 40_000_000 and summary.within_pence == 125_050
    sheet.append(["t3", "Troubled Families", "pct", "pct", "2009-10", "1.234", "", "perhaps"])
    workbook.save(path)
    with pytest.raises(ImportRejected) as caught:
        service.import_flows(place, "testshire", path.read_bytes(), path.name, "lead@test")
    found = {(p.code, p.sheet, p.row, p.column) for p in caught.value.problems}
    assert found == {
        ("self-payment", "Flows", 4, "to_id"),
        ("too-many-decimals", "Flows", 4, "amount_gbp"),
        ("bad-boolean", "Flows", 4, "ring_fenced"),
    }
    assert len(service.flows_of(place, "testshire")) == 2  # all or nothing


def test_theme_rules_count_lines_and_bad_rules_are_refused(place: Store) -> None:
    rules_csv = (
        "theme_id,field,value,share,basis\n"
        "older-people,sercop,ASC,0.6,Share of care for people over 65\n"
        "children-and-families,cofog,09,1,\n"
    )
    assert service.set_theme_rules(place, "testshire", rules_csv.encode(), "r.csv", "a") == 2
    view = service.theme_count(place, "testshire", "2009-10")
    totals = {t.theme_id: t for t in view.count.themes}
    # The handmade returns: care for older people £1,000,000.00 (ASC, and its own theme
    # column says "older people", which is not a theme id), children's centres £250,000.50.
    assert totals["older-people"].total_pence == 60_000_000
    assert totals["older-people"].shared_pence == 60_000_000
    assert totals["children-and-families"].total_pence == 25_000_050
    assert view.count.total_pence == 85_000_050
    bad = (
        "theme_id,field,value,share\n"
        "older-people,postcode,M33,1\n"
        "pensioners,service,Care,1\n"
        "older-people,service,Care,-2\n"
    )
    with pytest.raises(ImportRejected) as caught:
        service.set_theme_rules(place, "testshire", bad.encode(), "bad.csv", "a")
    found = {(p.code, p.row, p.column) for p in caught.value.problems}
    assert found == {
        ("bad-theme-field", 2, "field"),
        ("unknown-theme", 3, "theme_id"),
        ("bad-share", 4, "share"),
    }
    assert len(service.rules_of(place, "testshire")) == 2


def test_supplier_overlap_on_two_real_ledgers(sqlite_store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "lancashire"
    shutil.copytree(HANDMADE, folder)
    with (folder / "agencies.csv").open("a") as handle:
        handle.write("fire,Lancashire Fire and Rescue Service,fire and rescue\n")
    import_package(folder, store=sqlite_store)
    police = DATA / "lancashire_pcc_spend_over_500_2024-25.xlsx"
    fire = HERE / "lancashire_fire_spend_2024-25.xlsx"
    import_return("police", [police], "2024-25", store=sqlite_store)
    import_return("fire", [fire], "2024-25", store=sqlite_store)
    overlap = service.supplier_overlap(sqlite_store, "testshire", "2024-25")
    by_name = {s.key: s for s in overlap.suppliers}
    # The fire service writes names in lower case, the police in capitals; "NPOWER LTD"
    # and "npower" are one supplier.
    assert set(by_name["npower"].names) == {"NPOWER LTD", "npower"}
    assert "fitness warehouse" in by_name
    # Checked against the fire ledger itself, read with openpyxl alone.
    sheet = openpyxl.load_workbook(fire, read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    header = [str(c) for c in rows[0]]
    supplier, amount = header.index("Supplier Name"), header.index("Amount")
    home_office = sum(
        Decimal(str(r[amount])) for r in rows[1:] if str(r[supplier]).strip() == "home office"
    )
    assert by_name["home office"].by_agency["fire"] == int(home_office * 100)
    assert set(overlap.by_agency) == {"fire", "police"}
    for agency in ("fire", "police"):
        assert overlap.by_agency[agency] == sum(s.by_agency[agency] for s in overlap.suppliers)
    assert len(overlap.suppliers) > 20
    body = service.overlap_json(overlap, "2024-25")
    assert body["shared_suppliers"] == len(overlap.suppliers)


def test_the_flows_command_prints_the_contract(tmp_path: Path) -> None:
    env = {**os.environ, "TOTALPLACE_HOME": str(tmp_path / "home")}
    env.pop("DATABASE_URL", None)
    cli("import", str(package_with_flows(tmp_path)), env=env)
    result = cli("flows", "testshire", "--year", "2009-10", "--json", env=env)
    body = json.loads(result.stdout)
    assert {"entering_gbp", "within_gbp", "leaving_gbp", "by_agency", "streams", "by_theme"} <= set(
        body
    )
    assert body["entering_gbp"] == 1200000.0
    assert sum(a["held_gbp"] for a in body["by_agency"]) == 950000.0
    assert set(body["streams"][0]) >= {
        "stream",
        "entering_gbp",
        "funders",
        "recipients",
        "themes",
        "ring_fenced",
    }
    assert set(body["by_theme"][0]) >= {"theme", "streams", "entering_gbp"}
    text = cli("flows", "testshire", "--year", "2009-10", env=env).stdout
    assert "£1,200,000.00" in text and "£1,800,000.00" in text
    bad = cli(
        "deepdive",
        "import-flows",
        "testshire",
        str(GRANTS_JSON),
        "--agency",
        "oops",
        env=env,
        check=False,
    )
    assert bad.returncode == 1


def test_the_government_grants_register_keeps_the_place_s_grants(place: Store) -> None:
    register = GRANTS / "government-grant-awards-2016-17.xlsx"
    done = service.import_flows(
        place, "testshire", register.read_bytes(), register.name, "lead@test", {"YOT139": "council"}
    )
    # The Youth Offending Team by its identifier; the DWP by its name, as the place's agency.
    assert (done.kind, done.added) == ("360Giving", 3)
    flows = {f.to_id: [] for f in service.flows_of(place, "testshire")}
    for f in service.flows_of(place, "testshire"):
        flows[f.to_id].append((f.from_id, f.from_name, f.amount_pence, f.stream))
    assert flows["council"] == [
        ("D18", "Ministry of Justice", 40_276_500, "Youth Justice Good Practice")
    ]
    assert sorted(p for _f, _n, p, _s in flows["dwp"]) == [0, 220_000]
    # The rest of the register, counted independently with openpyxl, is said, not kept.
    sheet = openpyxl.load_workbook(register, read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    amount = rows[0].index("Amount Awarded")
    total = sum(Decimal(str(r[amount])) for r in rows[1:] if r[amount] is not None)
    assert total == Decimal("3920986733")  # £3.92bn, as the source note says
    left = total - Decimal(402765) - Decimal(2200)
    assert f"{len(rows) - 4:,} grants (£{left:,.2f})" in done.notes[0]
    summary = service.flow_summary(place, "testshire", "2016-17")
    assert summary.entering_pence == 40_276_500 + 220_000


def test_a_place_edits_its_themes_and_its_rules_must_follow(place: Store) -> None:
    assert [t.theme_id for t in service.themes_of(place, "testshire")][:2] == [
        "older-people",
        "drugs-and-alcohol",
    ]
    rules_csv = b"theme_id,field,value\nolder-people,sercop,ASC\n"
    service.set_theme_rules(place, "testshire", rules_csv, "r.csv", "lead@test")
    mine = b"theme_id,name,description\nageing-well,Ageing well,Our own theme\n"
    with pytest.raises(ImportRejected) as caught:
        service.set_themes_from_file(place, "testshire", mine, "themes.csv", "lead@test")
    # A rule names older-people, which the new list leaves out.
    assert [p.code for p in caught.value.problems] == ["unknown-theme"]
    both = mine + b"older-people,Older people,\n"
    assert service.set_themes_from_file(place, "testshire", both, "t.csv", "lead@test") == 2
    assert [t.name for t in service.themes_of(place, "testshire")] == [
        "Ageing well",
        "Older people",
    ]
    view = service.theme_count(place, "testshire", "2009-10")
    assert [t.theme_id for t in view.count.themes] == ["ageing-well", "older-people"]
    twice = b"theme_id,name\nx,X\nx,Y\n,Z\n"
    with pytest.raises(ImportRejected) as caught:
        service.set_themes_from_file(place, "testshire", twice, "t.csv", "lead@test")
    assert {(p.code, p.row) for p in caught.value.problems} == {
        ("duplicate-key", 3),
        ("blank-value", 4),
    }
