"""Hostile and heavy files: every reader failure is a named problem that says which file
(and sheet), and no file can take the process down."""

from __future__ import annotations

import csv
import io
import resource
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.helpers import DATA
from totalplace.core.problems import ImportRejected, Problem
from totalplace.core.spreadsheets import CsvRows, csv_rows, read_sheets
from totalplace.core.workbook_reader import Limits

LANCASHIRE = DATA / "lancashire_pcc_spend_over_500_2024-25.xlsx"
SHEET = "xl/worksheets/sheet1.xml"


def problem_of(path: Path, limits: Limits | None = None) -> Problem:
    with pytest.raises(ImportRejected) as caught:
        read_sheets(path) if limits is None else read_sheets(path, limits)
    assert len(caught.value.problems) == 1
    found = caught.value.problems[0]
    assert found.file is not None and found.file.startswith(path.name)
    return found


def far_corner(path: Path) -> Path:
    """1 KB on disk; one cell at A1 and one at XFD1048576."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Spend"
    sheet["A1"] = "Amount"
    sheet["XFD1048576"] = 1
    book.save(path)
    return path


def with_sheet_xml(source: Path, target: Path, xml: bytes, member: str = SHEET) -> Path:
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            new.writestr(info.filename, xml if info.filename == member else old.read(info))
    return target


def limit_memory(megabytes: int) -> None:
    size = megabytes * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (size, size))


def test_a_cell_at_the_far_corner_is_refused_under_a_memory_limit(tmp_path: Path) -> None:
    """On the old reader calamine asked for 512 GB and aborted the process (a Rust abort,
    not an exception). Run in a child under a 2 GB limit, so a regression fails the test
    instead of the machine."""
    path = far_corner(tmp_path / "far.xlsx")
    script = (
        "import sys; from pathlib import Path\n"
        "from totalplace.core.problems import ImportRejected\n"
        "from totalplace.core.spreadsheets import read_sheets\n"
        "try:\n    read_sheets(Path(sys.argv[1]))\n"
        "except ImportRejected as exc:\n"
        "    p = exc.problems[0]; print(p.code, p.file, p.sheet, sep='|'); print(p.message)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=lambda: limit_memory(2048),
    )
    assert done.returncode == 0, done.stderr
    first, message = done.stdout.splitlines()
    assert first == "sheet-too-large|far.xlsx|Spend"
    assert "XFD1048576" in message and "10,000,000 cells" in message


def test_a_lying_dimension_alone_is_not_refused(tmp_path: Path) -> None:
    """The declared <dimension> is advice; only cells with values make the grid."""
    path = far_corner(tmp_path / "far.xlsx")
    xml = zipfile.ZipFile(path).read(SHEET).replace(b'r="XFD1048576"', b'r="B2"')
    xml = xml.replace(b'<row r="1048576">', b'<row r="2">')
    sheets = read_sheets(with_sheet_xml(path, tmp_path / "lying.xlsx", xml))
    assert sheets[0].rows == [["Amount", ""], ["", 1.0]]


def test_a_zip_bomb_workbook_is_refused_before_it_is_unzipped(tmp_path: Path) -> None:
    """300 MB of one repeated row compresses to well under 1 MB: over 100 times."""
    path = tmp_path / "bomb.xlsx"
    with (
        zipfile.ZipFile(LANCASHIRE) as old,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as new,
    ):
        for info in old.infolist():
            if info.filename != SHEET:
                new.writestr(info.filename, old.read(info))
        with new.open(SHEET, "w", force_zip64=True) as member:
            member.write(
                b'<worksheet xmlns="http://schemas.openxmlformats.org/'
                b'spreadsheetml/2006/main"><sheetData>'
            )
            block = b'<row><c t="n"><v>1</v></c></row>' * 32768
            for _ in range(300 * 2**20 // len(block)):
                member.write(block)
            member.write(b"</sheetData></worksheet>")
    assert path.stat().st_size < 3 * 2**20
    found = problem_of(path)
    assert found.code == "file-too-large"
    assert "expands" in found.message and SHEET in found.message


def test_a_workbook_over_the_unzipped_limit_is_refused(tmp_path: Path) -> None:
    found = problem_of(LANCASHIRE, Limits(max_unzipped_bytes=2**20))
    assert found.code == "file-too-large"
    assert "1 MB" in found.message


def test_a_workbook_that_needs_more_memory_than_allowed_is_a_problem(tmp_path: Path) -> None:
    """The child's memory limit stops it (calamine aborts, Python raises MemoryError);
    either way the parent reports a named problem."""
    found = problem_of(LANCASHIRE, Limits(memory_bytes=24 * 2**20))
    assert found.code == "file-too-large"
    assert "memory" in found.message


def test_the_cell_budget_counts_every_sheet(tmp_path: Path) -> None:
    found = problem_of(LANCASHIRE, Limits(max_cells=6000))
    assert found.code == "sheet-too-large"
    assert found.sheet == "MAY 24"  # APR 24 is 1,308 rows x 4 columns; MAY takes it past


def test_a_damaged_sheet_says_which_sheet(tmp_path: Path) -> None:
    path = far_corner(tmp_path / "far.xlsx")
    broken = with_sheet_xml(path, tmp_path / "broken.xlsx", b"<worksheet><sheetData><row>")
    found = problem_of(broken)
    assert (found.code, found.sheet) == ("file-unreadable", "Spend")
    assert "the sheet is damaged" in found.message


def test_a_truncated_workbook_is_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "cut.xlsx"
    path.write_bytes(LANCASHIRE.read_bytes()[:50_000])
    assert problem_of(path).code == "file-unreadable"


def test_random_bytes_named_xlsx_are_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "noise.xlsx"
    path.write_bytes(b"not a workbook at all" * 50)
    assert problem_of(path).code == "file-unreadable"


def test_an_encrypted_workbook_is_named_as_such(tmp_path: Path) -> None:
    """Excel saves a password-protected XLSX as a compound file, not a zip."""
    path = tmp_path / "secret.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 4096)
    assert problem_of(path).code == "workbook-encrypted"


def test_an_ods_with_a_value_repeated_across_every_column_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "wide.ods"
    content = (
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body>'
        '<office:spreadsheet><table:table table:name="Wide">'
        '<table:table-row table:number-rows-repeated="1000000">'
        '<table:table-cell table:number-columns-repeated="16384" office:value-type="float"'
        ' office:value="1"><text:p>1</text:p></table:table-cell></table:table-row>'
        "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", content)
    found = problem_of(path)
    assert found.code == "sheet-too-large"
    assert found.sheet == "Wide"


def test_a_csv_with_nul_bytes_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "binary.csv"
    path.write_bytes(b"Amount\n12\x00\x00\x0034\n")
    found = problem_of(path)
    assert found.code == "file-unreadable"
    assert "NUL" in found.message


def test_a_utf16_csv_with_its_byte_order_mark_is_read(tmp_path: Path) -> None:
    path = tmp_path / "unicode.csv"
    path.write_bytes("Supplier\tAmount\nCafé\t12.50\n".encode("utf-16"))
    assert list(read_sheets(path)[0].rows) == [["Supplier", "Amount"], ["Café", "12.50"]]


def test_a_utf16_csv_without_its_byte_order_mark_is_read(tmp_path: Path) -> None:
    """Excel's "Unicode text" may come without a byte-order mark: told by its zero bytes."""
    for encoding in ("utf-16-le", "utf-16-be"):
        path = tmp_path / f"{encoding}.csv"
        path.write_bytes("Supplier\tAmount\nCafé\t12.50\n".encode(encoding))
        assert list(read_sheets(path)[0].rows) == [["Supplier", "Amount"], ["Café", "12.50"]]


def test_a_damaged_zip_of_csv_is_a_problem(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("spend.csv", "Amount\n" + "12.50\n" * 5000)
    data = bytearray(buffer.getvalue())
    data[60:90] = b"\xff" * 30  # inside the compressed stream
    path = tmp_path / "spend.zip"
    path.write_bytes(bytes(data))
    found = problem_of(path)
    assert found.code == "file-unreadable"


def test_a_zip_bomb_of_csv_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bomb.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("spend.csv", b"Amount\n" + b"1\n" * (20 * 2**20))
    assert problem_of(path).code == "file-too-large"


def test_csv_rows_slice_like_a_list(tmp_path: Path) -> None:
    path = tmp_path / "rows.csv"
    path.write_text("".join(f"{n},x\n" for n in range(10)))
    rows = read_sheets(path)[0].rows
    assert isinstance(rows, CsvRows)
    grid = [[str(n), "x"] for n in range(10)]
    assert len(rows) == 10
    assert rows[3] == grid[3] and rows[-1] == grid[-1]
    for window in (slice(2, None), slice(2, 5), slice(None, 4), slice(8, 20), slice(1, None, 2)):
        assert list(rows[window]) == grid[window]
    assert list(rows[2:][1:3]) == grid[2:][1:3]
    with pytest.raises(IndexError):
        rows[10]


@given(st.data(), st.sampled_from([",", ";", "\t"]))
@settings(max_examples=60, deadline=None)
def test_csv_rows_read_back_what_a_csv_writer_wrote(data: st.DataObject, sep: str) -> None:
    # Quotes doubled inside cells must survive, however few of them the first rows hold
    # (the sniffer alone guessed no doubled quotes and shifted such rows' columns).
    cell = st.text(alphabet=f'ab "{sep}', max_size=8)
    rows = data.draw(st.lists(st.lists(cell, min_size=3, max_size=3), min_size=1, max_size=30))
    out = io.StringIO()
    csv.writer(out, delimiter=sep, lineterminator="\r\n").writerows(
        [["name", "note", "amount"], *rows, ["x", 'said "hi", then left', "3"]]
    )
    data = out.getvalue().encode()
    read = [list(r) for r in csv_rows(lambda: io.BytesIO(data), "rows.csv")]
    assert read == [["name", "note", "amount"], *rows, ["x", 'said "hi", then left', "3"]]
