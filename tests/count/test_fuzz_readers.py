"""Fuzzing the return readers: random and mutated files give a problem or lines, never a
crash or an unexpected exception. Bounded (derandomised, a few dozen examples each) so
that it runs in seconds; workbooks are read in a child process, the dearest part."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers import DATA
from totalplace.core.problems import ImportRejected, ProblemList
from totalplace.core.reference import reference
from totalplace.core.spreadsheets import read_sheets
from totalplace.core.years import year_bounds
from totalplace.count.files.lines import normalise_lines
from totalplace.count.files.returns import plan_sheets, read_rows

LANCASHIRE = (DATA / "lancashire_pcc_spend_over_500_2024-25.xlsx").read_bytes()
MANCHESTER = (DATA / "manchester_spend_over_500_2022-01.csv").read_bytes()[:4000]
SHEET = "xl/worksheets/sheet1.xml"
FUZZ = settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def small_workbook() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Payment Date", "Supplier", "Service", "Amount"])
    for day in range(1, 11):
        sheet.append([f"2010-05-{day:02d}", "Acme Ltd", "Highways", day * 100.25])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


SMALL = small_workbook()


def outcome(data: bytes, name: str, folder: Path, year: str = "2010-11") -> str:
    """'lines' or 'problem'; anything else raised fails the test."""
    path = folder / name
    path.write_bytes(data)
    problems = ProblemList()
    try:
        sheets = read_sheets(path)
        plan = plan_sheets(sheets, None, problems)
        problems.raise_if_any()
        read = read_rows(sheets, plan, year, "council", year_bounds(year), problems)
        problems.raise_if_any()
        if read.line_count:
            normalise_lines(read.frame, ["council"], reference(), problems)
        problems.raise_if_any()
    except ImportRejected as exc:
        assert exc.problems and all(p.file for p in exc.problems), exc.problems
        return "problem"
    finally:
        path.unlink()
    return "lines"


def mutate(data: bytes, cuts: list[tuple[int, int]]) -> bytes:
    changed = bytearray(data)
    for position, value in cuts:
        changed[position % len(changed)] = value
    return bytes(changed)


mutations = st.lists(st.tuples(st.integers(0, 2**31), st.integers(0, 255)), min_size=1, max_size=8)


@FUZZ
@given(data=st.binary(max_size=3000), suffix=st.sampled_from([".csv", ".xlsx", ".ods", ".zip"]))
def test_random_bytes(tmp_path: Path, data: bytes, suffix: str) -> None:
    assert outcome(data, f"random{suffix}", tmp_path) in ("lines", "problem")


@FUZZ
@given(
    text=st.text(alphabet=st.sampled_from(list(',;\t|"\r\n £()-.0123456789abcTotal')), max_size=600)
)
def test_csv_made_of_delimiters_quotes_and_amounts(tmp_path: Path, text: str) -> None:
    data = b"Payment Date,Supplier,Amount\n" + text.encode("utf-8")
    assert outcome(data, "ledger.csv", tmp_path) in ("lines", "problem")


@FUZZ
@given(cuts=mutations, encoding=st.sampled_from(["utf-8", "cp1252", "utf-16"]))
def test_mutated_real_csv(tmp_path: Path, cuts: list[tuple[int, int]], encoding: str) -> None:
    data = MANCHESTER.decode("utf-8").encode(encoding)
    found = outcome(mutate(data, cuts), "manchester.csv", tmp_path, "2021-22")
    assert found in ("lines", "problem")


@settings(FUZZ, max_examples=10)
@given(length=st.integers(0, len(LANCASHIRE)), cuts=st.lists(mutations, max_size=1))
def test_truncated_or_mutated_real_workbook(
    tmp_path: Path, length: int, cuts: list[list[tuple[int, int]]]
) -> None:
    data = LANCASHIRE[:length]
    if cuts and data:
        data = mutate(data, cuts[0])
    assert outcome(data, "lancashire.xlsx", tmp_path) in ("lines", "problem")


@settings(FUZZ, max_examples=15)
@given(cuts=mutations, length=st.integers(0, 2000))
def test_a_valid_zip_around_damaged_sheet_xml(
    tmp_path: Path, cuts: list[tuple[int, int]], length: int
) -> None:
    """The zip stays sound, so the damage reaches the XML scan and calamine."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(SMALL)) as old, zipfile.ZipFile(buffer, "w") as new:
        for info in old.infolist():
            content = old.read(info)
            if info.filename == SHEET:
                content = mutate(content, cuts)[: max(length, 1) * 4]
            new.writestr(info.filename, content)
    assert outcome(buffer.getvalue(), "small.xlsx", tmp_path) in ("lines", "problem")


@FUZZ
@given(
    members=st.dictionaries(
        st.sampled_from(["a.csv", "b.txt", "c.tsv", "d.bin"]), st.binary(max_size=400), max_size=3
    )
)
def test_zips_of_random_members(tmp_path: Path, members: dict[str, bytes]) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    assert outcome(buffer.getvalue(), "spend.zip", tmp_path) in ("lines", "problem")


def test_the_unmutated_files_give_lines(tmp_path: Path) -> None:
    """The fuzzing starts from files that import, so it explores near real ones."""
    assert outcome(SMALL, "small.xlsx", tmp_path) == "lines"
    whole_lines = MANCHESTER.rsplit(b"\n", 1)[0]
    assert outcome(whole_lines, "manchester.csv", tmp_path, "2021-22") == "lines"
    assert outcome(LANCASHIRE, "lancashire.xlsx", tmp_path, "2024-25") == "lines"
