"""Barriers in and out: a register read from CSV or XLSX, written as CSV or XLSX with
formula-like cells made safe, and a letter to the owners of the rules in DOCX or PDF."""

from __future__ import annotations

import csv
import io
import tempfile
from dataclasses import dataclass
from datetime import date
from html import escape
from pathlib import Path, PurePath
from typing import Any

from totalplace.barriers.rules import COLUMNS, safe_cell
from totalplace.core.problems import ImportRejected, Problem


@dataclass(frozen=True)
class Row:
    sheet: str | None
    number: int  # the row's number as the spreadsheet shows it
    values: dict[str, str]


def _header(cell: object) -> str:
    return "_".join(str(cell or "").strip().casefold().replace("-", " ").split())


def read_rows(content: bytes, filename: str) -> list[Row]:
    """Each row below the header of the first sheet with a `title` column."""
    from totalplace.core.spreadsheets import read_sheets

    name = PurePath(filename).name or "barriers.csv"
    with tempfile.TemporaryDirectory(prefix="totalplace-barriers-") as tmp:
        path = Path(tmp) / name
        path.write_bytes(content)
        sheets = [(s.name, [list(r) for r in s.rows]) for s in read_sheets(path)]
    for sheet, rows in sheets:
        for index, row in enumerate(rows[:20]):
            headers = [_header(c) for c in row]
            if "title" not in headers:
                continue
            out = []
            for offset, cells in enumerate(rows[index + 1 :], start=index + 2):
                values = {
                    h: "" if c is None else str(c).strip()
                    for h, c in zip(headers, cells, strict=False)
                    if h
                }
                if any(values.values()):
                    out.append(Row(sheet, offset, values))
            return out
    raise ImportRejected(
        [
            Problem(
                "missing-column",
                "no row of headers with a title column was found",
                file=name,
                column="title",
                fix="Put the headers " + ", ".join(COLUMNS) + " in the first row "
                "(docs/formats/barriers.md).",
            )
        ]
    )


def to_csv(header: list[str], rows: list[list[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    return buffer.getvalue().encode("utf-8")


def to_xlsx(title: str, header: list[str], rows: list[list[Any]]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title[:31]
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([safe_cell(v) for v in row])
        for cell in sheet[sheet.max_row]:
            # Text is text: openpyxl would otherwise keep a leading "=" as a formula.
            if isinstance(cell.value, str):
                cell.data_type = "s"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@dataclass(frozen=True)
class Letter:
    """A letter to the owners of the rules: one paragraph block per barrier."""

    place_name: str
    title: str
    written_on: date
    barriers: list[dict[str, Any]]  # title, tracking, owner, kind, status, text, blocks


CSS = """
body { font-family: Arial, sans-serif; color: #0b0c0c; line-height: 1.45; margin: 2em; }
h1 { font-size: 1.6em; } h2 { font-size: 1.2em; border-top: 2px solid #1d70b8;
padding-top: .4em; } .meta { color: #505a5f; } ul { padding-left: 1.2em; }
@page { size: A4; margin: 20mm; }
"""


def letter_html(letter: Letter) -> str:
    parts = [
        '<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8">'
        f"<title>{escape(letter.title)}</title><style>{CSS}</style></head><body>",
        f'<p class="meta">{escape(letter.place_name)}, {letter.written_on:%d %B %Y}</p>',
        f"<h1>{escape(letter.title)}</h1>",
        "<p>The public bodies of the place ask for your help with the barriers below. Each "
        "has a tracking number; please quote it in your answer.</p>",
    ]
    for item in letter.barriers:
        parts.append(f"<h2>{escape(item['tracking'])}: {escape(item['title'])}</h2>")
        parts.append(
            f'<p class="meta">To {escape(item["owner"])}. {escape(item["kind"])}. '
            f"Status: {escape(item['status'])}.</p>"
        )
        if item["text"]:
            parts.append(f"<p>{escape(item['text'])}</p>")
        if item["blocks"]:
            parts.append("<p>What it blocks:</p><ul>")
            parts.extend(f"<li>{escape(b)}</li>" for b in item["blocks"])
            parts.append("</ul>")
    parts.append("</body></html>")
    return "\n".join(parts)


def letter_pdf(letter: Letter) -> bytes:
    from weasyprint import HTML

    return bytes(HTML(string=letter_html(letter)).write_pdf())


def letter_docx(letter: Letter) -> bytes:
    from docx import Document as Word

    word = Word()
    word.add_paragraph(f"{letter.place_name}, {letter.written_on:%d %B %Y}")
    word.add_heading(letter.title, level=0)
    word.add_paragraph(
        "The public bodies of the place ask for your help with the barriers below. Each has "
        "a tracking number; please quote it in your answer."
    )
    for item in letter.barriers:
        word.add_heading(f"{item['tracking']}: {item['title']}", level=1)
        word.add_paragraph(f"To {item['owner']}. {item['kind']}. Status: {item['status']}.")
        if item["text"]:
            word.add_paragraph(item["text"])
        if item["blocks"]:
            word.add_paragraph("What it blocks:")
            for block in item["blocks"]:
                word.add_paragraph(block, style="List Bullet")
    out = io.BytesIO()
    word.save(out)
    return out.getvalue()
