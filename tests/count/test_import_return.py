"""Messy real returns: every case the importer promises, on real public spending files."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from tests.helpers import DATA, HANDMADE
from totalplace.core.problems import ImportRejected
from totalplace.core.store.db import Store
from totalplace.count import tables as count_tables
from totalplace.count.service.counting import count_place
from totalplace.count.service.returns import classify, import_return
from totalplace.places.service.packages import import_package

MANCHESTER = [DATA / f"manchester_spend_over_500_2022-0{m}.csv" for m in (1, 2, 3)]
LANCASHIRE = DATA / "lancashire_pcc_spend_over_500_2024-25.xlsx"


@pytest.fixture
def place(store: Store) -> Store:
    import_package(HANDMADE, store=store)
    return store


def rows_of(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def test_three_monthly_ledgers_make_one_return(place: Store) -> None:
    result = import_return("council", MANCHESTER, "2021-22", store=place)
    assert result is not None
    assert result.line_count == sum(len(rows_of(p)) - 1 for p in MANCHESTER)
    # Net totals as published: £66,343,303.84 + £68,983,112.56 + £92,507,680.74
    assert result.total_pence == 6634330384 + 6898311256 + 9250768074
    assert result.mapping["columns"]["amount_gbp"] == ["Net Amount"]
    assert result.mapping["columns"]["service"] == ["Service Area"]
    assert result.mapping["columns"]["payment_date"] == ["Invoice Payment Date"]


def test_every_sheet_of_a_workbook_and_float_noise_rounds_to_pence(place: Store) -> None:
    result = import_return("police", [LANCASHIRE], "2024-25", store=place)
    assert result is not None
    assert result.line_count == 7857
    # The source note gives £110,962,284.83 for the float sum; per-line pence agree.
    assert abs(result.total_pence - 11096228483) <= 2
    assert any("Rounded" in note for note in result.notes)
    assert result.mapping["columns"]["amount_gbp"] == ["TOTAL"]


def test_a_new_import_is_a_new_version_and_replaces_the_old(place: Store) -> None:
    first = import_return("council", MANCHESTER[:1], "2021-22", store=place)
    second = import_return("council", MANCHESTER[1:2], "2021-22", store=place)
    assert first is not None and second is not None
    assert (first.version, second.version) == (1, 2)
    counted = count_place("testshire", "2021-22", store=place)
    assert counted.total_pence == 6898311256
    with place.sessions() as session:
        versions = count_tables.submissions_for(session, "testshire", "council", "2021-22")
        assert [(s.version, s.status) for s in versions] == [(1, "superseded"), (2, "current")]
        assert versions[1].source_files[0]["name"] == MANCHESTER[1].name
        assert len(versions[1].source_files[0]["sha256"]) == 64


def messy_workbook(
    path: Path,
    rows: list[list[object]],
    title_rows: int = 3,
    header: list[str] | None = None,
    sheet: str = "Spend",
) -> Path:
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "Notes"
    ws["A1"] = "This workbook lists our spending. Figures are provisional."
    data = book.create_sheet(sheet)
    for number in range(title_rows):
        data.append([f"Testshire Council spend report, line {number + 1}"])
    data.append(header or ["Date", "Supplier Name", "Service", "Amount (£)"])
    for row in rows:
        data.append(row)
    book.save(path)
    return path


def test_header_below_title_rows_pound_signs_brackets_and_totals(
    place: Store, tmp_path: Path
) -> None:
    path = messy_workbook(
        tmp_path / "april.xlsx",
        [
            ["01/04/2009", "Acme Ltd", "Libraries", "£1,234.50"],
            ["02/04/2009", "Bolt & Co", "Libraries", "(1,000.25)"],
            ["03/04/2009", "Care Homes plc", "Adult Social Care", 5000],
            [None, "Total", None, 5234.25],
        ],
    )
    result = import_return("council", [path], "2009-10", store=place)
    assert result is not None
    assert result.line_count == 3
    assert result.total_pence == 123450 - 100025 + 500000
    assert any("header on row 4" in n for n in result.notes)
    assert any("totals row" in n for n in result.notes)


def test_amounts_in_thousands_when_the_header_says_so(place: Store, tmp_path: Path) -> None:
    path = tmp_path / "totals.csv"
    path.write_text("Service,Net expenditure £000\nLibraries,1234.5\nParks,12\n", encoding="utf-8")
    result = import_return("council", [path], "2009-10", store=place)
    assert result is not None
    assert result.total_pence == (1_234_500 + 12_000) * 100


def test_windows_encoding_and_semicolons(place: Store, tmp_path: Path) -> None:
    path = tmp_path / "windows.csv"
    path.write_bytes("Date;Supplier;Amount\n15/05/2009;Café Société;£99.99\n".encode("cp1252"))
    result = import_return("council", [path], "2009-10", store=place)
    assert result is not None
    frame = place.lines.read(_current_file(place, "council", "2009-10"))
    assert frame["supplier"].to_list() == ["Café Société"]
    assert frame["payment_date"].to_list() == ["2009-05-15"]


def _current_file(store: Store, agency: str, year: str) -> str:
    with store.sessions() as session:
        (current,) = [
            s
            for s in count_tables.current_submissions(session, "testshire", year)
            if s.agency_id == agency
        ]
        return current.lines_file


def test_months_with_different_layouts_are_each_mapped(place: Store, tmp_path: Path) -> None:
    april = messy_workbook(
        tmp_path / "april.xlsx", [["01/04/2009", "Acme", "Parks", 10]], title_rows=0
    )
    may = tmp_path / "may.csv"
    may.write_text(
        "Notes line\n\nPayment Date,Net Amount,Beneficiary,Cost Centre\n"
        "2009-05-01,20.00,Acme,Parks\n",
        encoding="utf-8",
    )
    result = import_return("council", [april, may], "2009-10", store=place)
    assert result is not None
    assert result.total_pence == 3000
    assert result.mapping["columns"]["amount_gbp"] == ["Amount (£)", "Net Amount"]


def test_ods_files_are_read(place: Store, tmp_path: Path) -> None:
    path = write_ods(
        tmp_path / "return.ods", [["Date", "Supplier", "Amount"], ["2009-06-01", "Acme", "12.34"]]
    )
    result = import_return("council", [path], "2009-10", store=place)
    assert result is not None
    assert result.total_pence == 1234


def write_ods(path: Path, rows: list[list[str]]) -> Path:
    """A minimal OpenDocument spreadsheet, written by hand to need no extra library."""
    cells = "".join(
        "<table:table-row>"
        + "".join(
            f'<table:table-cell office:value-type="string"><text:p>{v}</text:p></table:table-cell>'
            for v in row
        )
        + "</table:table-row>"
        for row in rows
    )
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        '<office:body><office:spreadsheet><table:table table:name="Return">'
        f"{cells}</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
        'manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(
            zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet"
        )
        archive.writestr("META-INF/manifest.xml", manifest)
        archive.writestr("content.xml", content)
    return path


# ---- bad input: a clear error, and nothing lost ------------------------------------


def rejected(
    store: Store, files: list[Path], year: str = "2009-10", **kwargs: object
) -> ImportRejected:
    with pytest.raises(ImportRejected) as caught:
        import_return("council", files, year, store=store, **kwargs)  # type: ignore[arg-type]
    with store.sessions() as session:
        assert (
            count_tables.submissions_for(session, "testshire", "council", year) == []
            or year == "2009-10"
        )
    return caught.value


def test_a_bad_amount_names_file_sheet_row_and_column(place: Store, tmp_path: Path) -> None:
    before = count_place("testshire", "2009-10", store=place).total_pence
    path = messy_workbook(
        tmp_path / "bad.xlsx",
        [
            ["01/04/2009", "Acme", "Parks", "12.00"],
            ["02/04/2009", "Acme", "Parks", "twelve"],
        ],
    )
    error = rejected(place, [path])
    (problem,) = error.problems
    assert (problem.code, problem.file, problem.sheet, problem.row, problem.column) == (
        "not-a-number",
        "bad.xlsx",
        "Spend",
        6,
        "Amount (£)",
    )
    assert "twelve" in str(problem) and "1234.56" in str(problem)
    # All or nothing: the earlier return still stands, untouched.
    assert count_place("testshire", "2009-10", store=place).total_pence == before


def test_no_amount_column_lists_what_was_found(place: Store, tmp_path: Path) -> None:
    path = tmp_path / "odd.csv"
    path.write_text("When,Who,How much\n2009-04-01,Acme,5\n", encoding="utf-8")
    error = rejected(place, [path])
    (problem,) = error.problems
    assert problem.code == "missing-column"
    assert "'When', 'Who', 'How much'" in problem.message
    assert "--mapping" in problem.how_to_fix


def test_a_mapping_file_reads_unusual_headers(place: Store, tmp_path: Path) -> None:
    path = tmp_path / "odd.csv"
    path.write_text("When,Who,How much\n2009-04-01,Acme,5\n", encoding="utf-8")
    mapping = tmp_path / "mapping.json"
    mapping.write_text(
        json.dumps(
            {"columns": {"amount_gbp": "How much", "supplier": ["Who"], "payment_date": "When"}}
        )
    )
    result = import_return("council", [path], "2009-10", store=place, mapping_file=mapping)
    assert result is not None and result.total_pence == 500
    # Saved for the agency: the next file with that layout needs no mapping.
    again = import_return("council", [path], "2009-10", store=place)
    assert again is not None and again.version == result.version + 1


def test_a_bad_mapping_file_is_reported(place: Store, tmp_path: Path) -> None:
    mapping = tmp_path / "mapping.json"
    mapping.write_text('{"columns": {"supplier": "Who"}}')
    error = rejected(place, [MANCHESTER[0]], mapping_file=mapping)
    assert error.problems[0].code == "bad-mapping"
    assert error.problems[0].file == "mapping.json"


def test_a_file_of_another_year_is_one_problem_that_names_its_year(place: Store) -> None:
    error = rejected(place, MANCHESTER, year="2024-25")
    # One problem per file, not one per row (12,585 before).
    assert error.total == 3
    assert [p.file for p in error.problems] == [p.name for p in MANCHESTER]
    problem = error.problems[0]
    assert problem.code == "date-outside-year"
    assert problem.column == "Invoice Payment Date"
    assert "every date is in 2021-22" in problem.message
    assert "import this as 2021-22?" in problem.message
    assert "--year 2021-22" in problem.how_to_fix


def test_many_problems_are_summarised_not_flooded(place: Store, tmp_path: Path) -> None:
    lines = "\n".join(f"2009-04-01,Acme,abc{n}" for n in range(500))
    path = tmp_path / "many.csv"
    path.write_text(f"Date,Supplier,Amount\n{lines}\n", encoding="utf-8")
    error = rejected(place, [path])
    assert error.total == 500
    assert len(error.problems) == 50
    assert "and 450 more" in error.summary()


def test_unknown_agency_and_declined_confirmation(place: Store) -> None:
    with pytest.raises(ImportRejected) as caught:
        import_return("nobody", MANCHESTER[:1], "2021-22", store=place)
    assert "no stored place has an agency 'nobody'" in str(caught.value)
    assert (
        import_return("council", MANCHESTER[:1], "2021-22", store=place, confirm=lambda plan: False)
        is None
    )
    with place.sessions() as session:
        assert count_tables.submissions_for(session, "testshire", "council", "2021-22") == []


def test_unclassified_service_names_are_listed_with_suggestions(
    place: Store, tmp_path: Path
) -> None:
    result = import_return("council", MANCHESTER[:1], "2021-22", store=place)
    assert result is not None
    names = {u.service: u for u in result.unclassified}
    assert "Manchester Leisure" in names
    assert names["Childrens Services"].suggestions[0].cofog == "10.4"
    assert names["Adult Social Care"].suggestions[0].sercop == "ASC"
    assert names["Highways Services"].suggestions[0].cofog == "04.5"
    rules = tmp_path / "rules.csv"
    rules.write_text("service,cofog,sercop\nManchester Leisure,08.1,CUL\n", encoding="utf-8")
    assert classify("council", rules, store=place) == 1
    counted = count_place("testshire", "2021-22", store=place)
    leisure = sum(u.pence for u in result.unclassified if u.service == "Manchester Leisure")
    groups = {a.key: a.pence for a in counted.by_cofog_group}
    assert groups["08.1"] == leisure


def test_bad_classification_rules_are_reported(place: Store, tmp_path: Path) -> None:
    rules = tmp_path / "rules.csv"
    rules.write_text("service,cofog,sercop\nParks,99.9,\nLibraries,08.2,NOPE\n", encoding="utf-8")
    with pytest.raises(ImportRejected) as caught:
        classify("council", rules, store=place)
    codes = [(p.code, p.row, p.column) for p in caught.value.problems]
    assert codes == [("bad-cofog", 2, "cofog"), ("bad-sercop", 3, "sercop")]


def test_rules_without_their_columns_say_which_header_to_write(
    place: Store, tmp_path: Path
) -> None:
    rules = tmp_path / "rules.csv"
    rules.write_text("name,code\nParks,08.1\n", encoding="utf-8")
    with pytest.raises(ImportRejected) as caught:
        classify("council", rules, store=place)
    problems = caught.value.problems
    assert [(p.code, p.file, p.row, p.column) for p in problems] == [
        ("missing-column", "rules.csv", 1, "service"),
        ("missing-column", "rules.csv", 1, "cofog"),
    ]
    # A rules file has no column mapping: the fix names the header to write instead.
    assert all("service,cofog" in p.how_to_fix for p in problems)


def test_count_template_filled_in_is_accepted(place: Store, tmp_path: Path) -> None:
    from totalplace.count.service.template import write_template

    path = write_template(
        "testshire", tmp_path / "template.xlsx", store=place, financial_year="2011-12"
    )
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Guide", "Return", "Lists", "Agencies"]
    sheet = book["Return"]
    header = [c.value for c in sheet[1]]
    assert header[:4] == ["agency_id", "financial_year", "description", "amount_gbp"]
    drop_downs = {
        str(v.sqref).split(":")[0]: v.formula1 for v in sheet.data_validations.dataValidation
    }
    cofog = f"{openpyxl.utils.get_column_letter(header.index('cofog') + 1)}2"
    assert drop_downs[cofog].startswith("=Lists!$B$1")
    assert drop_downs["B2"] == '"2011-12"'
    agencies = [row[0].value for row in book["Agencies"].iter_rows(min_row=2)]
    assert agencies == ["council", "dwp", "pct", "police"]
    values = {
        "agency_id": "council",
        "financial_year": "2011-12",
        "description": "Libraries",
        "amount_gbp": 1500.5,
        "cofog": "08.2",
        "sercop": "CUL",
        "spend_type": "revenue",
        "estimate": "false",
    }
    for column, name in enumerate(header, start=1):
        sheet.cell(row=2, column=column, value=values.get(str(name)))
    book.save(path)
    result = import_return("council", [path], "2011-12", store=place)
    assert result is not None and result.total_pence == 150050
    counted = count_place("testshire", "2011-12", store=place)
    assert {a.key: a.pence for a in counted.by_cofog_group} == {"08.2": 150050}
    assert result.unclassified == []


def test_zipped_csv_is_read(place: Store, tmp_path: Path) -> None:
    path = tmp_path / "ledger.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.write(MANCHESTER[0], MANCHESTER[0].name)
    result = import_return("council", [path], "2021-22", store=place)
    assert result is not None and result.total_pence == 6634330384


def test_amounts_read_exactly(place: Store, tmp_path: Path) -> None:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Date", "Amount"])
    amounts = ["0.1", "0.2", "-0.3", "1,000,000.07", "CR 5".replace("CR ", "") + "CR", "7-"]
    for amount in amounts:
        writer.writerow(["2009-04-01", amount])
    path = tmp_path / "exact.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    result = import_return("council", [path], "2009-10", store=place)
    assert result is not None
    assert (
        Decimal(result.total_pence) / 100
        == Decimal("0.1") + Decimal("0.2") - Decimal("0.3") + Decimal("1000000.07") - 5 - 7
    )
