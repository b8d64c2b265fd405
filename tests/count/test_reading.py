"""The count never loses or misreads what people send: each case below was a silent
loss or a misread amount in an earlier version (see docs/decisions/0301-*)."""

from __future__ import annotations

import json
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.helpers import DATA, HANDMADE
from totalplace.core.problems import ImportRejected, ProblemList
from totalplace.core.spreadsheets import Sheet
from totalplace.core.store.db import Store
from totalplace.count import tables as count_tables
from totalplace.count.files.amounts import (
    COMMA,
    POINT,
    format_text_amount,
    parse_text_amount,
)
from totalplace.count.files.returns import find_header, plan_sheets, wanted_headers
from totalplace.count.service.returns import import_return
from totalplace.places.service.packages import import_package

MANCHESTER = [DATA / f"manchester_spend_over_500_2022-0{m}.csv" for m in (1, 2, 3)]


@pytest.fixture
def place(store: Store) -> Store:
    import_package(HANDMADE, store=store)
    return store


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_text(text, encoding=encoding)
    return path


def rejected(
    store: Store, files: list[Path], year: str = "2009-10", **kw: object
) -> ImportRejected:
    with pytest.raises(ImportRejected) as caught:
        import_return("council", files, year, store=store, **kw)  # type: ignore[arg-type]
    return caught.value


def lines_of(store: Store, year: str = "2009-10") -> list[dict[str, object]]:
    with store.sessions() as session:
        (current,) = [
            s
            for s in count_tables.current_submissions(session, "testshire", year)
            if s.agency_id == "council"
        ]
    return store.lines.read(current.lines_file).to_dicts()


# ---- nothing skipped while the rest goes in ----------------------------------------


def test_a_second_file_with_unknown_headers_stops_the_import(place: Store, tmp_path: Path) -> None:
    good = write(tmp_path / "april.csv", "Date,Supplier,Amount\n2009-04-01,Acme,10\n")
    odd = write(tmp_path / "may.csv", "When,Who,How much\n2009-05-01,Acme,20\n")
    error = rejected(place, [good, odd])
    assert [(p.code, p.file) for p in error.problems] == [("missing-column", "may.csv")]


def test_a_header_far_down_is_found_and_its_row_said(place: Store, tmp_path: Path) -> None:
    notes = "".join(f"Note {n}: figures are provisional\n" for n in range(44))
    path = write(tmp_path / "late.csv", notes + "Date,Supplier,Amount\n2009-04-01,Acme,12.50\n")
    result = import_return("council", [path], "2009-10", store=place)
    assert result is not None and result.total_pence == 1250
    assert "late.csv: header on row 45." in result.notes


def test_a_header_on_the_last_row_is_found() -> None:
    rows: list[list[object]] = [["Spend report"], ["Printed 2009-04-01"], ["Date", "Amount"]]
    sheet = Sheet("x.csv", None, rows)  # type: ignore[arg-type]
    assert find_header(sheet, wanted_headers(None)) == (2, {"amount_gbp": 1, "payment_date": 0})


def test_a_second_sheet_of_text_amounts_is_not_passed_over(place: Store, tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    first = book.active
    assert first is not None
    first.append(["Date", "Supplier", "Amount"])
    first.append(["2009-04-01", "Acme", 10])
    second = book.create_sheet("May")
    second.append(["When", "Who", "How much"])
    second.append(["2009-05-01", "Acme", "£1,200.00"])
    book.save(tmp_path / "two.xlsx")
    error = rejected(place, [tmp_path / "two.xlsx"])
    assert [(p.code, p.sheet) for p in error.problems] == [("missing-column", "May")]


def test_a_zip_member_that_is_not_csv_stops_the_import(place: Store, tmp_path: Path) -> None:
    path = tmp_path / "ledger.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("april.csv", "Date,Amount\n2009-04-01,10\n")
        archive.writestr("may.xlsx", b"not really a workbook")
    error = rejected(place, [path])
    assert [(p.code, p.file) for p in error.problems] == [
        ("unsupported-format", "ledger.zip/may.xlsx")
    ]


def test_an_empty_file_stops_the_import(place: Store, tmp_path: Path) -> None:
    good = write(tmp_path / "april.csv", "Date,Amount\n2009-04-01,10\n")
    empty = write(tmp_path / "may.csv", "")
    error = rejected(place, [good, empty])
    assert [(p.code, p.file) for p in error.problems] == [("empty-return", "may.csv")]


def test_the_same_file_twice_is_refused(place: Store, tmp_path: Path) -> None:
    one = write(tmp_path / "april.csv", "Date,Amount\n2009-04-01,10\n")
    two = write(tmp_path / "april copy.csv", "Date,Amount\n2009-04-01,10\n")
    error = rejected(place, [one, two])
    assert [(p.code, p.file) for p in error.problems] == [("duplicate-file", "april copy.csv")]


def test_duplicate_headers_are_a_problem(place: Store, tmp_path: Path) -> None:
    path = write(tmp_path / "dup.csv", "Date,Amount,Supplier,Amount\n2009-04-01,10,Acme,20\n")
    error = rejected(place, [path])
    assert [(p.code, p.row, p.column) for p in error.problems] == [
        ("duplicate-column", 1, "Amount")
    ]


def hidden_workbook(path: Path, state: str) -> Path:
    book = openpyxl.Workbook()
    data = book.active
    assert data is not None
    data.title = "Spend"
    data.append(["Date", "Supplier", "Amount"])
    data.append(["2009-04-01", "Acme", 100])
    copy = book.create_sheet("Old copy")
    copy.append(["Date", "Supplier", "Amount"])
    copy.append(["2009-04-01", "Acme", 100])
    copy.sheet_state = state
    book.save(path)
    return path


@pytest.mark.parametrize("state", ["hidden", "veryHidden"])
def test_hidden_sheets_are_left_out_and_said_unless_asked(
    place: Store, tmp_path: Path, state: str
) -> None:
    path = hidden_workbook(tmp_path / "hidden.xlsx", state)
    result = import_return("council", [path], "2009-10", store=place)
    assert result is not None and result.total_pence == 10000
    assert "Not read: hidden.xlsx sheet 'Old copy' (a hidden sheet)." in result.notes
    both = import_return("council", [path], "2009-10", store=place, include_hidden=True)
    assert both is not None and both.total_pence == 20000


# ---- amounts read by a strict grammar ------------------------------------------------


def amounts_of(store: Store, path: Path) -> list[int]:
    result = import_return("council", [path], "2009-10", store=store)
    assert result is not None
    return [int(str(line["amount_pence"])) for line in lines_of(store)]


def test_decimal_comma_with_semicolons(place: Store, tmp_path: Path) -> None:
    path = write(tmp_path / "eu.csv", "Date;Amount\n2009-04-01;1.000,00\n2009-04-02;1 000,00\n")
    assert amounts_of(place, path) == [100000, 100000]
    result = import_return("council", [path], "2009-10", store=place)
    assert result is not None
    assert "eu.csv: header on row 1; amounts use a decimal comma." in result.notes


def test_quoted_decimal_commas_in_a_comma_csv(place: Store, tmp_path: Path) -> None:
    path = write(tmp_path / "q.csv", 'Date,Amount\n2009-04-01,"1.200,00"\n2009-04-02,"100,50"\n')
    assert amounts_of(place, path) == [120000, 10050]


def test_a_column_that_mixes_decimal_marks_is_refused(place: Store, tmp_path: Path) -> None:
    path = write(
        tmp_path / "mixed.csv", 'Date,Amount\n2009-04-01,"1,234.50"\n2009-04-02,"100,50"\n'
    )
    error = rejected(place, [path])
    assert [(p.code, p.row) for p in error.problems] == [("ambiguous-amount", 3)]


def test_an_unquoted_thousands_comma_is_a_ragged_row(place: Store, tmp_path: Path) -> None:
    path = write(tmp_path / "ragged.csv", "Date,Supplier,Amount\n2009-04-01,Acme,1,000.00\n")
    error = rejected(place, [path])
    assert [(p.code, p.row) for p in error.problems] == [("ragged-row", 2)]


def test_separators_must_group_in_threes(place: Store, tmp_path: Path) -> None:
    path = write(tmp_path / "bad.csv", 'Date,Amount\n2009-04-01,"1,2,3"\n2009-04-02,"12,34.5"\n')
    error = rejected(place, [path])
    assert [(p.code, p.row) for p in error.problems] == [("not-a-number", 2), ("not-a-number", 3)]
    assert "threes" in error.problems[0].message


def test_spreadsheet_errors_are_named(place: Store, tmp_path: Path) -> None:
    path = write(tmp_path / "err.csv", "Date,Amount\n2009-04-01,#DIV/0!\n2009-04-02,#N/A\n")
    error = rejected(place, [path])
    assert [p.code for p in error.problems] == ["spreadsheet-error", "spreadsheet-error"]
    assert "#DIV/0!" in error.problems[0].message


def test_spreadsheet_errors_in_a_workbook_are_named(place: Store, tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Date", "Supplier", "Amount"])
    sheet.append(["2009-04-01", "Acme", 10])
    sheet.append(["2009-04-02", "Acme", "#DIV/0!"])  # openpyxl stores it as an error cell
    book.save(tmp_path / "err.xlsx")
    error = rejected(place, [tmp_path / "err.xlsx"])
    assert [(p.code, p.row) for p in error.problems] == [("spreadsheet-error", 3)]
    assert "#DIV/0!" in error.problems[0].message


def test_utf16_text_is_detected(place: Store, tmp_path: Path) -> None:
    path = tmp_path / "unicode.txt"
    path.write_bytes("Date\tSupplier\tAmount\n2009-04-01\tCafé\t£12.50\n".encode("utf-16"))
    assert amounts_of(place, path) == [1250]
    assert lines_of(place)[0]["supplier"] == "Café"


@given(
    pence=st.integers(min_value=-(10**13), max_value=10**13),
    mark=st.sampled_from([POINT, COMMA]),
    grouped=st.booleans(),
)
def test_formatting_then_parsing_an_amount_gives_it_back(
    pence: int, mark: str, grouped: bool
) -> None:
    value = Decimal(pence) / 100
    grouping = ("," if mark == POINT else ".") if grouped else ""
    text = format_text_amount(value.quantize(Decimal("0.01")), mark, grouping)
    assert parse_text_amount(text, mark) == value
    assert parse_text_amount(f"£{text}", mark) == value


# ---- totals rows ---------------------------------------------------------------------


def test_only_a_totals_label_makes_a_totals_row_and_each_is_listed(
    place: Store, tmp_path: Path
) -> None:
    path = write(
        tmp_path / "t.csv",
        "Service,Supplier,Amount\n"
        "Total Facilities Management,Acme,5000\n"
        "Parks,Total Gas & Power Ltd,700\n"
        "Total,,5700\n",
    )
    result = import_return("council", [path], "2009-10", store=place)
    assert result is not None
    assert result.total_pence == 570000
    assert [row.as_dict() for row in result.left_out] == [
        {"file": "t.csv", "sheet": None, "row": 4, "amount_gbp": "5700.00", "reason": "totals row"}
    ]
    assert any("t.csv row 4 (£5700.00)" in note for note in result.notes)


# ---- saved mappings merged with recognition ------------------------------------------


def test_a_new_column_after_a_saved_mapping_is_kept(place: Store, tmp_path: Path) -> None:
    first = write(tmp_path / "v1.csv", "Date,Service,Net Amount\n2009-04-01,Parks,10\n")
    before = import_return("council", [first], "2009-10", store=place)
    second = write(tmp_path / "v2.csv", "Date,Service,Net Amount,COFOG\n2009-04-01,Parks,10,08.1\n")
    result = import_return("council", [second], "2009-10", store=place)
    assert before is not None and result is not None
    assert result.version == before.version + 1
    assert result.mapping["columns"]["cofog"] == ["COFOG"]
    assert lines_of(place)[0]["cofog"] == "08.1"


def test_a_saved_mapping_does_not_hide_a_recognised_amount(place: Store, tmp_path: Path) -> None:
    first = write(tmp_path / "v1.csv", "Date,Net Amount\n2009-04-01,10\n")
    import_return("council", [first], "2009-10", store=place)
    second = write(tmp_path / "v2.csv", "Date,Amount\n2009-04-01,25\n")
    result = import_return("council", [second], "2009-10", store=place)
    assert result is not None and result.total_pence == 2500


def test_a_date_column_is_always_checked_after_a_saved_mapping(
    place: Store, tmp_path: Path
) -> None:
    first = write(tmp_path / "v1.csv", "Supplier,Amount\nAcme,10\n")
    import_return("council", [first], "2009-10", store=place)
    second = write(tmp_path / "v2.csv", "Supplier,Amount,Date\nAcme,10,2015-06-01\n")
    error = rejected(place, [second])
    assert [(p.code, p.column) for p in error.problems] == [("date-outside-year", "Date")]


def test_a_field_the_person_says_is_absent_is_not_recognised(tmp_path: Path) -> None:
    rows: list[list[object]] = [["Date", "Supplier", "Amount"], ["2009-04-01", "Acme", "1"]]
    sheet = Sheet("x.csv", None, rows)  # type: ignore[arg-type]
    plan = plan_sheets([sheet], {"columns": {"supplier": []}}, ProblemList())
    assert "supplier" not in plan.parts[0].columns
    assert (1, "Supplier") in plan.parts[0].extras


# ---- the wrong year ------------------------------------------------------------------


def test_lines_outside_the_year_can_be_left_out_and_are_listed(
    place: Store, tmp_path: Path
) -> None:
    path = write(tmp_path / "y.csv", "Date,Amount\n2009-04-01,10\n2010-04-01,20\n2009-03-31,30\n")
    error = rejected(place, [path])
    assert error.total == 1 and "2 of 3 dates are outside 2009-10" in error.problems[0].message
    result = import_return("council", [path], "2009-10", store=place, outside_year="leave-out")
    assert result is not None and result.total_pence == 1000
    assert [(r.row, r.amount) for r in result.left_out] == [(3, "20.00"), (4, "30.00")]
    with place.sessions() as session:
        current = count_tables.submissions_for(session, "testshire", "council", "2009-10")[-1]
    assert len(current.mapping["left_out"]) == 2  # type: ignore[arg-type]


def test_a_multi_year_file_is_split_by_year_on_request(place: Store, tmp_path: Path) -> None:
    path = write(tmp_path / "y.csv", "Date,Amount\n2009-04-01,10\n2010-04-01,20\n2009-03-31,30\n")
    result = import_return("council", [path], "2009-10", store=place, outside_year="split")
    assert result is not None
    assert [(y.financial_year, y.total_pence) for y in result.years] == [
        ("2008-09", 3000),
        ("2009-10", 1000),
        ("2010-11", 2000),
    ]
    assert lines_of(place, "2010-11")[0]["financial_year"] == "2010-11"


def test_a_year_written_with_a_slash(place: Store) -> None:
    result = import_return("council", MANCHESTER[:1], "2021/22", store=place)
    assert result is not None and result.financial_year == "2021-22"


def test_problems_are_grouped_with_counts_and_columns(place: Store, tmp_path: Path) -> None:
    lines = "".join(f"2009-04-0{n % 9 + 1},abc{n},not a date\n" for n in range(120))
    path = write(tmp_path / "bad.csv", "Date,Amount,Invoice Date\n" + lines)
    mapping = write(
        tmp_path / "m.json",
        json.dumps({"columns": {"amount_gbp": ["Amount"], "payment_date": ["Invoice Date"]}}),
    )
    error = rejected(place, [path], mapping_file=mapping)
    groups = {g.code: g for g in error.groups}
    assert groups["not-a-number"].count == 120
    assert groups["bad-date"].count == 120
    assert groups["bad-date"].columns == ["Invoice Date"]
    assert [p.row for p in groups["not-a-number"].first] == [2, 3, 4, 5, 6]
    assert len(error.everything) == 240
