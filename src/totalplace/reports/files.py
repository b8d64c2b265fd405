"""A report written out: HTML with Jinja, PDF with WeasyPrint from the same HTML, and Word
with python-docx. Each figure keeps its value, basis, method and source in every format."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from totalplace.reports.rules import Report, Source, bar_chart

TEMPLATES = Path(__file__).parent / "templates"
_environment = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def sources_of(report: Report) -> list[Source]:
    """Every source the report cites, once, in the order first cited."""
    seen: dict[tuple[str, str], Source] = {}
    for section in report.sections:
        for figure in section.all_figures():
            seen.setdefault((figure.source.label, figure.source.href), figure.source)
        for quote in section.quotes:
            seen.setdefault((quote.source.label, quote.source.href), quote.source)
    return list(seen.values())


def context(report: Report, base: str = "", top: int = 1) -> dict[str, Any]:
    return {
        "report": report,
        "sources": sources_of(report),
        "base": base.rstrip("/"),
        "top": top,
        "chart": bar_chart,
    }


def to_html(report: Report, base: str = "") -> str:
    return _environment.get_template("report_document.html").render(context(report, base))


def to_pdf(report: Report, base: str = "") -> bytes:
    from weasyprint import HTML

    return bytes(HTML(string=to_html(report, base)).write_pdf())


def to_docx(report: Report, base: str = "") -> bytes:
    from docx import Document as Word

    word = Word()
    if report.version is None:
        word.add_paragraph("DRAFT: not issued. Figures may change.")
    meta = f"{report.place_name} · {report.financial_year} · {report.stage.capitalize()} report"
    if report.version:
        meta += f" · Version {report.version}, issued {report.issued_at[:10]} by {report.issued_by}"
    word.add_paragraph(meta)
    word.add_heading(report.title, level=0)
    for number, section in enumerate(report.sections, start=1):
        word.add_heading(f"{number}. {section.title}", level=1)
        for paragraph in section.paragraphs:
            word.add_paragraph(paragraph)
        if section.empty:
            word.add_paragraph("None yet.")
        blocks = (
            [("Figures: " + section.title, "Figure", section.figures)] if section.figures else []
        )
        blocks += [(t.title, t.heading, t.figures) for t in section.tables]
        for title, heading, figures in blocks:
            word.add_paragraph(title).runs[0].bold = True
            table = word.add_table(rows=1, cols=3)
            table.style = "Table Grid"
            cells = table.rows[0].cells
            cells[0].text, cells[1].text, cells[2].text = heading, "Value", "Basis and source"
            for figure in figures:
                row = table.add_row().cells
                row[0].text = figure.label
                row[1].text = figure.value
                method = f": {figure.method}" if figure.method else ""
                row[
                    2
                ].text = (
                    f"{figure.basis}{method} · {figure.source.label} ({base}{figure.source.href})"
                )
        for quote in section.quotes:
            word.add_paragraph(f"\u201c{quote.text}\u201d").runs[0].italic = True
            word.add_paragraph(f"\u2014 {quote.role} · {quote.source.label}")
    word.add_heading("Sources", level=1)
    for source in sources_of(report):
        detail = f": {source.detail}" if source.detail else ""
        word.add_paragraph(f"{source.label} ({base}{source.href}){detail}", style="List Bullet")
    out = io.BytesIO()
    word.save(out)
    return out.getvalue()


def write_all(report: Report, folder: Path, base: str = "") -> list[Path]:
    """report.html, report.pdf and report.docx in the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    html = folder / "report.html"
    html.write_text(to_html(report, base), encoding="utf-8")
    pdf = folder / "report.pdf"
    pdf.write_bytes(to_pdf(report, base))
    docx = folder / "report.docx"
    docx.write_bytes(to_docx(report, base))
    return [html, pdf, docx]
