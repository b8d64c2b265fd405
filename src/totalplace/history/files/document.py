"""The learning history document: sections in time order, narrative beside quotes in the
participants' own words (role-attributed, never named), questions to consider, a
glossary, a people page and the balance of voices. HTML, PDF and Word."""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any

from totalplace.history.rules import Quote, acronyms, balance


@dataclass
class Document:
    title: str
    sections: list[dict[str, Any]]  # title, intro, narrative, questions, quotes (Quote)
    glossary: dict[str, str]
    people: list[str]
    balance: dict[str, dict[str, int]]
    held_back: int  # quotes not yet approved, left out


def assemble(project: dict[str, Any]) -> Document:
    bank = [Quote(**q) for q in project["quotes"]]
    # Only what a person has approved is published: a quote the outline lists, or one
    # placed in the section, in the bank's order.
    sections = []
    placed: set[str] = set()
    for section in project.get("sections", []):
        listed = set(section.get("quotes", []))
        chosen = [
            q
            for q in bank
            if q.approved
            and q.id not in placed
            and (q.id in listed or q.section == section.get("title"))
        ]
        placed.update(q.id for q in chosen)
        sections.append({**section, "quotes": chosen})
    used = [q for s in sections for q in s["quotes"]]
    definitions = project.get("glossary", {})
    glossary = {a: definitions.get(a, "(definition needed)") for a in acronyms(used)}
    people = [
        p
        for p in project.get("public_figures", [])
        if any(re.search(rf"\b{re.escape(p)}\b", q.text) for q in used)
    ]
    held = sum(1 for q in bank if not q.approved)
    return Document(project["name"], sections, glossary, people, balance(used), held)


CSS = """
body { font-family: Arial, sans-serif; color: #0b0c0c; line-height: 1.45; margin: 2em; }
h1 { font-size: 2em; } h2 { border-top: 3px solid #1d70b8; padding-top: .5em; }
.section { display: grid; grid-template-columns: 3fr 2fr; gap: 2em; }
.quote { border-left: 4px solid #1d70b8; padding-left: .8em; margin: 0 0 1em; }
.quote p { margin: 0; font-style: italic; }
.quote footer { font-size: .9em; color: #505a5f; margin-top: .3em; }
.questions { background: #f3f2f1; padding: .5em 1em; }
table { border-collapse: collapse; }
td, th { border-bottom: 1px solid #b1b4b6; padding: .3em .8em; text-align: left; }
@page { size: A4; margin: 18mm; }
"""


def to_html(doc: Document) -> str:
    parts = [
        f'<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8">'
        f"<title>{escape(doc.title)}</title><style>{CSS}</style></head><body>",
        f"<h1>{escape(doc.title)}</h1>",
    ]
    for number, section in enumerate(doc.sections, start=1):
        parts.append(f"<h2>{number}. {escape(section['title'])}</h2>")
        parts.append('<div class="section"><div class="narrative">')
        for key in ("intro", "narrative"):
            for paragraph in str(section.get(key, "")).split("\n\n"):
                if paragraph.strip():
                    parts.append(f"<p>{escape(paragraph.strip())}</p>")
        if section.get("questions"):
            parts.append('<div class="questions"><h3>Questions to consider</h3><ul>')
            parts.extend(f"<li>{escape(q)}</li>" for q in section["questions"])
            parts.append("</ul></div>")
        parts.append('</div><div class="quotes">')
        for quote in section["quotes"]:
            parts.append(
                f'<blockquote class="quote"><p>\u201c{escape(quote.text)}\u201d</p>'
                f"<footer>{escape(quote.role or 'Participant')}</footer></blockquote>"
            )
        parts.append("</div></div>")
    parts.append("<h2>Glossary</h2><table>")
    parts.extend(
        f"<tr><th>{escape(a)}</th><td>{escape(d)}</td></tr>" for a, d in doc.glossary.items()
    )
    parts.append("</table>")
    if doc.people:
        parts.append("<h2>People named</h2><ul>")
        parts.extend(f"<li>{escape(p)}</li>" for p in doc.people)
        parts.append("</ul>")
    parts.append("<h2>Whose voices</h2>")
    for heading, key in (
        ("By role", "by_role"),
        ("By section", "by_section"),
        ("Hopeful and sceptical", "by_sentiment"),
    ):
        parts.append(f"<h3>{heading}</h3><table>")
        parts.extend(
            f"<tr><th>{escape(k)}</th><td>{v}</td></tr>" for k, v in doc.balance[key].items()
        )
        parts.append("</table>")
    parts.append("</body></html>")
    return "\n".join(parts)


def write(doc: Document, path: Path) -> Path:
    suffix = path.suffix.lower()
    if suffix in (".html", ".htm"):
        path.write_text(to_html(doc), encoding="utf-8")
    elif suffix == ".pdf":
        from weasyprint import HTML

        HTML(string=to_html(doc)).write_pdf(str(path))
    elif suffix == ".docx":
        _docx(doc, path)
    else:
        raise ValueError(f"{path.name}: write .html, .pdf or .docx")
    return path


def _docx(doc: Document, path: Path) -> None:
    from docx import Document as Word

    word = Word()
    word.add_heading(doc.title, level=0)
    for number, section in enumerate(doc.sections, start=1):
        word.add_heading(f"{number}. {section['title']}", level=1)
        table = word.add_table(rows=1, cols=2)
        left, right = table.rows[0].cells
        left.text = "\n\n".join(
            str(section.get(k, "")).strip() for k in ("intro", "narrative") if section.get(k)
        )
        if section.get("questions"):
            left.add_paragraph("Questions to consider:")
            for question in section["questions"]:
                left.add_paragraph(f"\u2022 {question}")
        right.text = ""
        for quote in section["quotes"]:
            right.add_paragraph(f"\u201c{quote.text}\u201d").italic = True
            right.add_paragraph(f"\u2014 {quote.role or 'Participant'}")
    word.add_heading("Glossary", level=1)
    for acronym, definition in doc.glossary.items():
        word.add_paragraph(f"{acronym}: {definition}")
    if doc.people:
        word.add_heading("People named", level=1)
        for person in doc.people:
            word.add_paragraph(person)
    word.add_heading("Whose voices", level=1)
    for key, counts in doc.balance.items():
        word.add_paragraph(
            f"{key.replace('_', ' ')}: " + "; ".join(f"{k} {v}" for k, v in counts.items())
        )
    word.save(str(path))
