"""Read any spreadsheet an agency sends into grids of cells, one per sheet.

CSV in UTF-8, UTF-16 or a Windows encoding, with any delimiter; XLSX, XLS and ODS through
calamine (every sheet). Cells stay as the file has them: text, numbers or dates.

Files come from strangers, so every read is bounded. A CSV is never held as a grid: its
rows are parsed again, streaming, each time they are walked, so a 2 M-line file costs
its bytes on disk, not gigabytes of Python lists. A workbook is read in a child process
with its own memory and CPU limits (`core.workbook_reader`), after its zip and its sheets'
extents have been checked, so no file can take the server down. Every failure is a
named problem that says which file (and sheet).
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import json
import pickle
import subprocess
import sys
import zipfile
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import IO, overload

from totalplace.core import workbook_reader
from totalplace.core.problems import ImportRejected, Problem
from totalplace.core.workbook_reader import Limits, Refused

Cell = str | float | int | bool | date | datetime | time | timedelta | None

SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}
TEXT_SUFFIXES = {".csv", ".txt", ".tsv"}
# Windows code pages seen in council exports, tried after UTF-8.
ENCODINGS = ("utf-8-sig", "cp1252", "latin-1")
LIMITS = Limits()
# Wall-clock time a workbook may take to read, on top of its CPU limit.
READ_TIMEOUT_SECONDS = 600
CHUNK = 1 << 20


@dataclass(frozen=True)
class Sheet:
    file: str
    name: str | None  # None for CSV: a CSV has no sheets
    rows: Sequence[list[Cell]]


def read_sheets(path: Path, limits: Limits = LIMITS) -> list[Sheet]:
    if not path.exists():
        raise ImportRejected([Problem("file-not-found", f"{path} does not exist", file=path.name)])
    suffix = path.suffix.lower()
    if suffix in SPREADSHEET_SUFFIXES:
        return _read_workbook(path, limits)
    if suffix in TEXT_SUFFIXES:
        return [Sheet(path.name, None, csv_rows(lambda: path.open("rb"), path.name))]
    if suffix == ".zip":
        return _read_zip(path, limits)
    raise ImportRejected(
        [
            Problem(
                "unsupported-format",
                f"{suffix or 'a file without an ending'} is not a spreadsheet totalplace reads",
                file=path.name,
            )
        ]
    )


# ---- workbooks --------------------------------------------------------------------


def _read_workbook(path: Path, limits: Limits) -> list[Sheet]:
    """Run core/workbook_reader.py by path: the child imports only calamine."""
    command = [
        sys.executable,
        "-I",
        workbook_reader.__file__,
        str(path.resolve()),
        json.dumps(asdict(limits)),
    ]
    try:
        finished = subprocess.run(command, capture_output=True, timeout=READ_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired as exc:
        raise _rejected(
            "file-too-large",
            f"reading the workbook took over {READ_TIMEOUT_SECONDS} seconds",
            path.name,
        ) from exc
    try:
        outcome = pickle.loads(finished.stdout) if finished.stdout else None
    except (pickle.UnpicklingError, EOFError):
        outcome = None
    if outcome is None:
        # The child was stopped by its memory or CPU limit: calamine aborts, not raises.
        raise _rejected(
            "file-too-large",
            "the workbook needs more memory or time to read than totalplace allows "
            f"({limits.memory_bytes // 2**20} MB, {limits.cpu_seconds} seconds)",
            path.name,
        )
    if outcome[0] == "problem":
        _kind, code, message, sheet = outcome
        raise _rejected(code, message, path.name, sheet)
    return [Sheet(path.name, name, rows) for name, rows in outcome[1]]


def _rejected(code: str, message: str, file: str, sheet: str | None = None) -> ImportRejected:
    return ImportRejected([Problem(code, message, file=file, sheet=sheet)])


# ---- zips of CSV files ------------------------------------------------------------


def _read_zip(path: Path, limits: Limits) -> list[Sheet]:
    """Publishers often zip a single CSV; read each CSV inside."""
    try:
        with zipfile.ZipFile(path) as archive:
            workbook_reader.check_zip(archive, limits)
            members = [m for m in archive.namelist() if Path(m).suffix.lower() in TEXT_SUFFIXES]
    except Refused as exc:
        raise _rejected(exc.code, exc.message, path.name) from exc
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise _rejected("file-unreadable", f"the zip is damaged ({exc})", path.name) from exc
    if not members:
        raise ImportRejected(
            [Problem("unsupported-format", "the zip holds no CSV file", file=path.name)]
        )
    return [
        Sheet(f"{path.name}/{m}", None, csv_rows(_member_opener(path, m), f"{path.name}/{m}"))
        for m in members
    ]


def _member_opener(path: Path, member: str) -> Callable[[], IO[bytes]]:
    def open_member() -> IO[bytes]:
        archive = zipfile.ZipFile(path)
        stream = archive.open(member)
        archive.close()  # the member's stream keeps the file open until it is closed
        return stream

    return open_member


# ---- CSV --------------------------------------------------------------------------


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


Opener = Callable[[], IO[bytes]]


def csv_rows(opener: Opener, name: str) -> CsvRows:
    """The file's rows, read lazily; its encoding and dialect are settled here, once."""
    encoding = _encoding(opener, name)
    with _text(opener, encoding, name) as text:
        sample = text.read(20000)
    return CsvRows(opener, name, encoding, _dialect(sample))


def _dialect(sample: str) -> type[csv.Dialect]:
    """Excel's CSV dialect with the delimiter the sample uses. Only the delimiter is taken
    from the sniffer: it guesses `doublequote` from the sample alone and says False for a
    file whose first rows hold no doubled quote, so a later cell holding a doubled quote
    would be split and the row's columns shifted. Spreadsheets and the CSV writers agencies use
    always double quotes."""
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        return csv.excel
    return type("SniffedExcel", (csv.excel,), {"delimiter": delimiter})


def _encoding(opener: Opener, name: str) -> str:
    """The first of ENCODINGS that decodes the whole file, checked in one streaming pass
    per candidate; UTF-16 by its byte-order mark, or by its zero bytes when it decodes."""
    with _opened(opener, name) as stream:
        start = stream.read(2000)
    if start[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        return "utf-16"
    utf16 = _utf16(start)
    if utf16 is not None and _decodes_as_text(opener, name, utf16):
        return utf16
    for encoding in ENCODINGS:
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            with _opened(opener, name) as stream:
                while chunk := stream.read(CHUNK):
                    if b"\x00" in chunk:
                        raise _rejected(
                            "file-unreadable",
                            "the file holds NUL bytes, so it is not text: perhaps it is a "
                            "spreadsheet saved with a .csv name",
                            name,
                        )
                    decoder.decode(chunk)
                decoder.decode(b"", final=True)
            return encoding
        except UnicodeDecodeError:
            continue
    raise AssertionError("latin-1 decodes any bytes")  # pragma: no cover


def _decodes_as_text(opener: Opener, name: str, encoding: str) -> bool:
    """Whether the whole file decodes in this encoding to text without NUL characters
    (UTF-16 without its byte-order mark is told only by its zero bytes, as binary is)."""
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        with _opened(opener, name) as stream:
            while chunk := stream.read(CHUNK):
                if "\x00" in decoder.decode(chunk):
                    return False
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


class _opened:
    """Open a stream, turning a failure to open or read it into a named problem."""

    def __init__(self, opener: Opener, name: str) -> None:
        self.opener = opener
        self.name = name
        self.stream: IO[bytes] | None = None

    def __enter__(self) -> IO[bytes]:
        try:
            self.stream = self.opener()
        except (OSError, zipfile.BadZipFile, ValueError, EOFError) as exc:
            raise _rejected(
                "file-unreadable", f"the file cannot be read ({exc})", self.name
            ) from exc
        return self.stream

    def __exit__(self, kind: object, exc: BaseException | None, _tb: object) -> None:
        if self.stream is not None:
            self.stream.close()
        if isinstance(exc, OSError | zipfile.BadZipFile | EOFError | zlib.error):
            raise _rejected("file-unreadable", f"the file cannot be read ({exc})", self.name)


class _text:
    def __init__(self, opener: Opener, encoding: str, name: str) -> None:
        self.binary = _opened(opener, name)
        self.encoding = encoding

    def __enter__(self) -> io.TextIOWrapper:
        return io.TextIOWrapper(self.binary.__enter__(), encoding=self.encoding, newline="")

    def __exit__(self, kind: object, exc: BaseException | None, tb: object) -> None:
        self.binary.__exit__(kind, exc, tb)


class CsvRows(Sequence[list[Cell]]):
    """A CSV file's rows, parsed anew on each walk; slices are lazy views.

    Reading the header needs the first rows and reading the lines needs one pass over the
    rest, so nothing needs the whole grid at once.
    """

    def __init__(
        self,
        opener: Opener,
        name: str,
        encoding: str,
        dialect: type[csv.Dialect] | csv.Dialect,
        start: int = 0,
        stop: int | None = None,
    ) -> None:
        self.opener = opener
        self.name = name
        self.encoding = encoding
        self.dialect = dialect
        self.start = start
        self.stop = stop
        self._length: int | None = None

    def __iter__(self) -> Iterator[list[Cell]]:
        with _text(self.opener, self.encoding, self.name) as text:
            reader = csv.reader(text, self.dialect)
            try:
                for row in itertools.islice(reader, self.start, self.stop):
                    yield list(row)
            except csv.Error as exc:
                raise _rejected(
                    "file-unreadable", f"the CSV is malformed ({exc})", self.name
                ) from exc

    def __len__(self) -> int:
        if self._length is None:
            self._length = sum(1 for _ in self)
        return self._length

    @overload
    def __getitem__(self, index: int) -> list[Cell]: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[list[Cell]]: ...

    def __getitem__(self, index: int | slice) -> list[Cell] | Sequence[list[Cell]]:
        if isinstance(index, slice):
            if index.step not in (None, 1) or any(
                i is not None and i < 0 for i in (index.start, index.stop)
            ):
                return list(self)[index]
            start = self.start + (index.start or 0)
            stop = None if index.stop is None else self.start + index.stop
            if self.stop is not None:
                stop = self.stop if stop is None else min(stop, self.stop)
            return CsvRows(self.opener, self.name, self.encoding, self.dialect, start, stop)
        if index < 0:
            return list(self)[index]
        for row in self[index : index + 1]:
            return row
        raise IndexError(index)


def first_rows(rows: Sequence[list[Cell]], count: int) -> list[list[Cell]]:
    return list(itertools.islice(rows, count))
