"""Read one workbook (XLSX, XLSM, XLSB, XLS, ODS) within limits, in a process of its own.

`core.spreadsheets` runs this file by path as a child process (`python -I workbook_reader.py
FILE LIMITS`), so it imports nothing of totalplace: a child that imports only the standard
library and calamine starts small, and its memory limit measures the workbook, not us.
The child sets its own memory and CPU limits before it touches the file, checks the zip's
declared and real sizes, scans each sheet's XML for the last cell with a value before
calamine builds any grid (calamine allocates the whole used range at once, so one cell at
XFD1048576 asks for 512 GB and aborts the process), and writes a pickled outcome to
stdout: ("sheets", [(name, rows), ...]) or ("problem", code, message, sheet).
"""

from __future__ import annotations

import json
import pickle
import posixpath
import re
import resource
import sys
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, Any
from xml.etree.ElementTree import ParseError, iterparse
from xml.parsers import expat

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # a compound file: XLS, or an encrypted XLSX
ZIP_SUFFIXES = {".xlsx", ".xlsm", ".xlsb", ".ods"}
MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
MAIN_NS, TABLE_NS, OFFICE_NS, TEXT_NS = (t.strip("{}") for t in (MAIN, TABLE, OFFICE, TEXT))
CELL_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d+)$")


@dataclass(frozen=True)
class Limits:
    """What one workbook may cost; documented in docs/formats/errors.md."""

    max_cells: int = 10_000_000  # rows x columns from A1 to the last cell, all sheets
    max_unzipped_bytes: int = 512 * 2**20
    max_ratio: int = 100  # uncompressed / compressed, for parts over 1 MB
    memory_bytes: int = 3 * 2**30
    cpu_seconds: int = 300


class Refused(Exception):
    def __init__(self, code: str, message: str, sheet: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.sheet = sheet


def column_number(letters: str) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - 64
    return number


def column_letters(number: int) -> str:
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


# ---- the zip ----------------------------------------------------------------------


def check_zip(archive: zipfile.ZipFile, limits: Limits) -> None:
    """Refuse a zip bomb by its declared sizes; reading later checks the real ones."""
    total = 0
    for info in archive.infolist():
        if info.flag_bits & 0x1:
            raise Refused("workbook-encrypted", f"the part {info.filename} is encrypted")
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > 2**20 and ratio > limits.max_ratio:
            raise Refused(
                "file-too-large",
                f"the part {info.filename} expands {ratio:.0f} times, to "
                f"{info.file_size // 2**20} MB; totalplace allows {limits.max_ratio} times",
            )
    if total > limits.max_unzipped_bytes:
        raise Refused(
            "file-too-large",
            f"the file expands to {total // 2**20} MB when unzipped; totalplace reads at most "
            f"{limits.max_unzipped_bytes // 2**20} MB",
        )


class _Counted:
    """A zip member's stream that refuses to give more bytes than the zip declared."""

    def __init__(self, stream: IO[bytes], declared: int, name: str) -> None:
        self.stream = stream
        self.left = declared
        self.name = name

    def read(self, size: int = -1) -> bytes:
        data = self.stream.read(size)
        self.left -= len(data)
        if self.left < 0:
            raise Refused("file-too-large", f"the part {self.name} is larger than it declares")
        return data


def _events(
    archive: zipfile.ZipFile, member: str, prune: tuple[str, ...] = ()
) -> Iterator[tuple[str, Any]]:
    """The member's parse events; each finished `prune` element is then dropped from its
    parent, so a million rows never sit in memory at once."""
    info = archive.getinfo(member)
    stack: list[Any] = []
    with archive.open(info) as raw:
        for event, element in iterparse(
            _Counted(raw, info.file_size, member), events=("start", "end")
        ):
            if event == "start":
                stack.append(element)
                yield event, element
                continue
            stack.pop()
            yield event, element
            if element.tag in prune and stack:
                stack[-1].remove(element)


# ---- XLSX: where each sheet's last cell is ------------------------------------------


def xlsx_sheets(archive: zipfile.ZipFile) -> list[tuple[str, str]]:
    """(sheet name, part name) in workbook order."""
    names = set(archive.namelist())
    if "xl/workbook.xml" not in names:
        raise Refused(
            "file-unreadable", "the file is a zip but not a workbook (no xl/workbook.xml)"
        )
    targets: dict[str, str] = {}
    if "xl/_rels/workbook.xml.rels" in names:
        for event, element in _events(archive, "xl/_rels/workbook.xml.rels"):
            if event == "end" and element.tag == f"{PKG_REL}Relationship":
                target = element.get("Target", "")
                path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
                targets[element.get("Id", "")] = posixpath.normpath(path)
    sheets = []
    for event, element in _events(archive, "xl/workbook.xml"):
        if event == "end" and element.tag == f"{MAIN}sheet":
            part = targets.get(element.get(f"{REL}id", ""), "")
            if part in names:
                sheets.append((element.get("name", part), part))
    return sheets


def xlsx_extent(archive: zipfile.ZipFile, member: str, sheet: str, budget: int) -> int:
    """Rows x columns from A1 to the last cell with a value; refuses past `budget`.

    Cells nearly always carry their reference (`r="B12"`), so a regular expression over
    the streamed bytes finds the last one at C speed; a sheet whose cells do not is
    walked with expat instead."""
    found = _extent_by_references(archive, member, sheet, budget)
    if found is None:
        found = _extent_by_walking(archive, member, sheet, budget)
    return found


# A cell's start tag: its reference when it has one, and "/" when it closes at once.
CELL_TAG = re.compile(
    rb"""<(?:[A-Za-z_][\w.-]*:)?c(?=[\s/>])"""
    rb"""(?:[^>]*?\br\s*=\s*["']\$?([A-Za-z]{1,3})\$?(\d+)["'])?[^>]*?(/?)>"""
)


def _extent_by_references(
    archive: zipfile.ZipFile, member: str, sheet: str, budget: int
) -> int | None:
    last_row = last_column = 0
    info = archive.getinfo(member)
    with archive.open(info) as raw:
        stream = _Counted(raw, info.file_size, member)
        tail = b""
        while chunk := stream.read(1 << 20):
            text = tail + chunk
            cut = text.rfind(b">") + 1
            text, tail = text[:cut], text[cut:]
            # <c r="XFD9" s="1"/> is formatting only: no value, no part of the grid.
            cells = [(c, r) for c, r, closed in CELL_TAG.findall(text) if not closed]
            if not cells:
                continue
            if any(not r for _c, r in cells):
                return None
            last_row = max(last_row, max(int(r) for _c, r in cells))
            letters = {c.upper() for c, _r in cells}
            last_column = max(last_column, max(column_number(c.decode()) for c in letters))
            _check_extent(sheet, last_row, last_column, budget)
    return last_row * last_column


def _extent_by_walking(archive: zipfile.ZipFile, member: str, sheet: str, budget: int) -> int:
    row = column = last_row = last_column = 0
    in_cell = has_value = False
    cell, row_tag, values = f"{MAIN_NS} c", f"{MAIN_NS} row", (f"{MAIN_NS} v", f"{MAIN_NS} is")

    def start(name: str, attrs: dict[str, str]) -> None:
        nonlocal row, column, in_cell, has_value
        if name == cell:
            ref = CELL_REF.match(attrs.get("r", ""))
            if ref:
                column, row = column_number(ref.group(1)), int(ref.group(2))
            else:
                column += 1
            in_cell, has_value = True, False
        elif name == row_tag:
            row = int(attrs.get("r") or row + 1)
            column = 0
        elif in_cell and name in values:
            has_value = True

    def end(name: str) -> None:
        nonlocal in_cell, last_row, last_column
        if name == cell:
            in_cell = False
            if has_value:
                last_row, last_column = max(last_row, row), max(last_column, column)
                _check_extent(sheet, last_row, last_column, budget)

    _scan(archive, member, start, end)
    return last_row * last_column


def _scan(
    archive: zipfile.ZipFile,
    member: str,
    start: Callable[[str, dict[str, str]], None],
    end: Callable[[str], None],
) -> None:
    """Stream a part through expat; a DTD's entities are refused, never expanded."""
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartElementHandler = start
    parser.EndElementHandler = end

    def no_entities(*_args: object) -> None:
        raise Refused("file-unreadable", f"the part {member} declares XML entities")

    parser.EntityDeclHandler = no_entities
    info = archive.getinfo(member)
    with archive.open(info) as raw:
        parser.ParseFile(_Counted(raw, info.file_size, member))


def _check_extent(sheet: str, rows: int, columns: int, budget: int) -> None:
    if rows * columns > budget:
        raise Refused(
            "sheet-too-large",
            f"the sheet's cells run to {column_letters(columns)}{rows} ({rows:,} rows x "
            f"{columns:,} columns = {rows * columns:,} cells); totalplace reads at most "
            f"{budget:,} cells",
            sheet,
        )


# ---- ODS: the same, with repeated rows and cells -------------------------------------


def ods_extents(archive: zipfile.ZipFile, budget: int) -> int:
    """The same for every table of an ODS, whose rows and cells may be repeated."""
    if "content.xml" not in archive.namelist():
        raise Refused("file-unreadable", "the file is a zip but not a spreadsheet (no content.xml)")
    cells = (f"{TABLE_NS} table-cell", f"{TABLE_NS} covered-table-cell")
    state: dict[str, Any] = {"sheet": "", "total": 0, "in_cell": 0}

    def start(name: str, attrs: dict[str, str]) -> None:
        if name == f"{TABLE_NS} table":
            state.update(sheet=attrs.get(f"{TABLE_NS} name", ""), last_row=0, last_column=0, row=0)
        elif name == f"{TABLE_NS} table-row":
            repeat = int(attrs.get(f"{TABLE_NS} number-rows-repeated") or 1)
            state.update(column=0, row_repeat=repeat, row_value=0)
        elif name in cells:
            repeat = int(attrs.get(f"{TABLE_NS} number-columns-repeated") or 1)
            value = int(f"{OFFICE_NS} value-type" in attrs)
            state.update(in_cell=1, cell_repeat=repeat, value=value)
        elif state["in_cell"] and name == f"{TEXT_NS} p":
            state["value"] = 1

    def end(name: str) -> None:
        if name in cells:
            state["in_cell"] = 0
            state["column"] += state["cell_repeat"]
            if state["value"]:
                state["row_value"] = 1
                state["last_row"] = max(state["last_row"], state["row"] + 1)
                state["last_column"] = max(state["last_column"], state["column"])
                _check(state["last_row"])
        elif name == f"{TABLE_NS} table-row":
            if state["row_value"]:  # a row of values, perhaps repeated
                state["last_row"] = max(state["last_row"], state["row"] + state["row_repeat"])
                _check(state["last_row"])
            state["row"] += state["row_repeat"]
        elif name == f"{TABLE_NS} table":
            state["total"] += state["last_row"] * state["last_column"]

    def _check(rows: int) -> None:
        _check_extent(state["sheet"], rows, state["last_column"], budget - state["total"])

    _scan(archive, "content.xml", start, end)
    return int(state["total"])


# ---- reading ----------------------------------------------------------------------


def check_workbook(path: str, limits: Limits) -> None:
    """Everything that can be known before calamine builds a grid."""
    with open(path, "rb") as handle:
        magic = handle.read(8)
    suffix = posixpath.splitext(path)[1].lower()
    if suffix in ZIP_SUFFIXES and magic == OLE_MAGIC:
        raise Refused("workbook-encrypted", "the workbook is protected by a password")
    if suffix not in ZIP_SUFFIXES:
        return  # XLS: a compound file; the child's memory limit is its guard
    try:
        with zipfile.ZipFile(path) as archive:
            check_zip(archive, limits)
            if suffix == ".ods":
                ods_extents(archive, limits.max_cells)
            elif suffix != ".xlsb":  # binary sheets: the memory limit is their guard
                budget = limits.max_cells
                for name, member in xlsx_sheets(archive):
                    budget -= xlsx_extent(archive, member, name, budget)
    except zipfile.BadZipFile as exc:
        raise Refused("file-unreadable", f"the file is not a complete workbook ({exc})") from exc
    except (ParseError, expat.ExpatError) as exc:
        raise Refused("file-unreadable", f"the workbook's XML is damaged ({exc})") from exc
    except (EOFError, OSError, ValueError, NotImplementedError) as exc:
        raise Refused("file-unreadable", f"the workbook cannot be unzipped ({exc})") from exc


def read_workbook(path: str, limits: Limits) -> list[tuple[str, list[list[Any]]]]:
    from python_calamine import CalamineWorkbook

    check_workbook(path, limits)
    sheets = []
    try:
        workbook = CalamineWorkbook.from_path(path)
    except Exception as exc:  # calamine raises several error types for broken files
        raise _calamine_problem(exc, None) from exc
    for name in workbook.sheet_names:
        try:
            rows = workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
        except Exception as exc:
            raise _calamine_problem(exc, name) from exc
        sheets.append((name, [list(r) for r in rows]))
    return sheets


def _calamine_problem(exc: Exception, sheet: str | None) -> Refused:
    text = str(exc)
    if re.search(r"password|encrypt", text, re.IGNORECASE):
        return Refused("workbook-encrypted", "the workbook is protected by a password", sheet)
    part = "the sheet" if sheet else "the workbook"
    return Refused(
        "file-unreadable", f"{part} is damaged and cannot be read (calamine: {text[:300]})", sheet
    )


def set_limits(limits: Limits) -> None:
    """Lower this process's limits; never above a limit it already has (which would fail)."""
    for kind, wanted in (
        (resource.RLIMIT_AS, limits.memory_bytes),
        (resource.RLIMIT_CPU, limits.cpu_seconds),
    ):
        _soft, hard = resource.getrlimit(kind)
        value = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        resource.setrlimit(kind, (value, value))


def main(argv: list[str]) -> int:
    path, settings = argv[1], json.loads(argv[2])
    limits = Limits(**settings)
    set_limits(limits)
    outcome: tuple[Any, ...]
    try:
        outcome = ("sheets", read_workbook(path, limits))
    except Refused as exc:
        outcome = ("problem", exc.code, exc.message, exc.sheet)
    except MemoryError:
        outcome = ("problem", "file-too-large", "the workbook needs more memory to read", None)
    sys.stdout.buffer.write(pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL))
    sys.stdout.buffer.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
