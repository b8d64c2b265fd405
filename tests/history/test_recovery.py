"""Quotes recovered from a learning history's own PDF, as text extraction gives it: no
blank line between a paragraph and the quote after it, lines broken mid-sentence, tables
of voices whose rows start with a role."""

from __future__ import annotations

import io

from pypdf import PdfReader

from tests.helpers import DATA
from totalplace.core.store.db import Store
from totalplace.history import service as history
from totalplace.history.files.transcripts import quotes_from_report

H = DATA / "history"


def _flat(text: str) -> str:
    return " ".join(text.replace("\u201c", "").replace("\u201d", "").split())


def test_every_quote_comes_back_from_the_pdf(sqlite_store: Store) -> None:
    history.import_text(sqlite_store, "tp", H / "report_extract.txt", "editor")
    history.import_interview(
        sqlite_store,
        "tp",
        H / "interview.txt",
        {"Tom Brown": "Senior Civil Servant"},
        None,
        "given",
        "editor",
    )
    history.set_outline(sqlite_store, "tp", H / "outline.json", "editor")
    project = history.load(sqlite_store, "tp")
    for quote in history.quotes(project):
        if quote.role:  # the report's last quote has no role: it cannot be printed as one
            history.update_quote(
                sqlite_store,
                "tp",
                quote.id,
                "editor",
                approved=True,
                section="Barriers" if quote.id > "q5" else None,
            )
    project = history.load(sqlite_store, "tp")
    printed = [q for q in history.quotes(project) if q.approved]
    pdf = history.document(project, "pdf")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "\n\n" not in text.strip()  # the hard case: nothing separates the paragraphs
    found = quotes_from_report(text, project["taxonomy"])
    recovered = {(_flat(q.text), q.role) for q in found}
    assert {(_flat(q.text), q.role) for q in printed} <= recovered
    # Nothing else: narrative, questions and the table of voices are not quotes.
    assert len(found) == len(printed) == 7
