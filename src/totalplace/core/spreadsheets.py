"""Read any spreadsheet an agency sends into grids of cells, one per sheet.

CSV in UTF-8 or a Windows encoding, with any delimiter; XLSX, XLS and ODS through
calamine (every sheet). Cells stay as the file has them: text, numbers or dates.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

from python_calamine import CalamineWorkbook

from totalplace.core.problems import ImportRejected, Problem

Cell = str | float | int | bool | date | datetime | time | timedelta | None

SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}
TEXT_SUFFIXES = {".csv", ".txt", ".tsv"}
# Windows code pages seen in council exports, tried after UTF-8.
ENCODINGS = ("utf-8-sig", "cp1252", "latin-1")


@dataclass(frozen=True)
class Sheet:
    file: str
    name: str | None  # None for CSV: a CSV has no sheets
    rows: list[list[Cell]]


def read_sheets(path: Path) -> list[Sheet]:
    if not path.exists():
        raise ImportRejected([Problem("file-not-found", f"{path} does not exist", file=path.name)])
    suffix = path.suffix.lower()
    if suffix in SPREADSHEET_SUFFIXES:
        return _read_workbook(path)
    if suffix in TEXT_SUFFIXES:
        return [Sheet(path.name, None, _read_csv_bytes(path.read_bytes(), path.name))]
    if suffix == ".zip":
        return _read_zip(path)
    raise ImportRejected(
        [
            Problem(
                "unsupported-format",
                f"{suffix or 'a file without an ending'} is not a spreadsheet totalplace reads",
                file=path.name,
            )
        ]
    )


def _read_workbook(path: Path) -> list[Sheet]:
    try:
        workbook = CalamineWorkbook.from_path(str(path))
        sheets = []
        for name in workbook.sheet_names:
            rows = workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
            sheets.append(Sheet(path.name, name, [list(r) for r in rows]))
        return sheets
    except Exception as exc:  # calamine raises several error types for broken files
        raise ImportRejected(
            [Problem("file-unreadable", f"the workbook cannot be opened ({exc})", file=path.name)]
        ) from exc


def _read_zip(path: Path) -> list[Sheet]:
    """Publishers often zip a single CSV; read each CSV inside."""
    sheets = []
    with zipfile.ZipFile(path) as archive:
        for member in archive.namelist():
            if Path(member).suffix.lower() in TEXT_SUFFIXES:
                label = f"{path.name}/{member}"
                sheets.append(Sheet(label, None, _read_csv_bytes(archive.read(member), label)))
    if not sheets:
        raise ImportRejected(
            [Problem("unsupported-format", "the zip holds no CSV file", file=path.name)]
        )
    return sheets


def decode(data: bytes) -> str:
    utf16 = _utf16(data)
    if utf16 is not None:
        try:
            return data.decode(utf16)
        except UnicodeDecodeError:
            pass
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise AssertionError("latin-1 decodes any bytes")  # pragma: no cover


def _utf16(data: bytes) -> str | None:
    """Excel's "Unicode text" is UTF-16: by its byte-order mark, or by the zero bytes
    that ASCII letters carry in it (every other byte)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    sample = data[:2000]
    if len(sample) >= 4 and sample[1::2].count(0) > len(sample) // 4:
        return "utf-16-le"
    if len(sample) >= 4 and sample[0::2].count(0) > len(sample) // 4:
        return "utf-16-be"
    return None


def _read_csv_bytes(data: bytes, name: str) -> list[list[Cell]]:
    text = decode(data)
    sample = text[:20000]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    try:
        return [list(row) for row in csv.reader(io.StringIO(text), dialect)]
    except csv.Error as exc:
        raise ImportRejected(
            [Problem("file-unreadable", f"the CSV is malformed ({exc})", file=name)]
        ) from exc
