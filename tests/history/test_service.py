"""The learning history: every import format with messy input, pseudonyms on entry,
coding and suggestions, balance, and the document in HTML, PDF and Word."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import DATA, cli, exact_json
from totalplace.core.problems import ImportRejected, NotFound
from totalplace.core.store.db import Store
from totalplace.history import service as history
from totalplace.history.files.document import assemble, write
from totalplace.history.files.transcripts import quotes_from_report, read_turns
from totalplace.history.rules import filtered, match_role

H = DATA / "history"


def test_roles_match_despite_misspelling() -> None:
    taxonomy = history.default_taxonomy()
    assert match_role("Programe Lead", taxonomy) == "Programme Lead"
    assert match_role("Senior Civil Servent", taxonomy) == "Senior Civil Servant"
    assert match_role("local place, senior officer", taxonomy) == "Local Place, Senior Officer"
    assert match_role("The count began in the autumn.", taxonomy) is None


def test_quotes_recovered_from_a_messy_report() -> None:
    found = quotes_from_report((H / "report_extract.txt").read_text(), history.default_taxonomy())
    assert [q.role for q in found] == [
        "Local Place, Senior Officer",
        "Programme Lead",
        "Politician",
        "Senior Civil Servant",
        None,
    ]
    # A word broken across lines is joined; quote marks are taken off.
    assert found[0].text == (
        "We kept discovering funding right up to the deadline. Every "
        "week someone found another grant we had never heard of."
    )
    # A role run onto the quote's last line is split off.
    assert found[2].text.endswith("would never change anything.")
    # Narrative paragraphs are not quotes.
    assert not any("autumn" in q.text for q in found)


def test_import_text_lists_the_unattributed(sqlite_store: Store) -> None:
    added, unattributed = history.import_text(
        sqlite_store, "tp", H / "report_extract.txt", "editor"
    )
    assert added == 5
    assert [q.text[:20] for q in unattributed] == ["We took some numbers"]
    body = exact_json(cli_json_quotes(sqlite_store))
    assert {"id", "text", "role", "section"} <= set(body[0])


def cli_json_quotes(store: Store) -> str:
    import json
    from dataclasses import asdict

    return json.dumps([asdict(q) for q in history.quotes(history.load(store, "tp"))])


def test_interview_speakers_become_pseudonyms(store: Store) -> None:
    added = history.import_interview(
        store,
        "tp",
        H / "interview.txt",
        {"Tom Brown": "Senior Civil Servant", "Interviewer": "Programme Lead"},
        "Trafford",
        "given",
        "editor",
    )
    roles = [q.role for q in added]
    # The interviewer asks: the questions are context of the answers, never quotes.
    assert roles == [
        "Local Place, Senior Officer",
        "Local Place, Senior Officer",
        "Senior Civil Servant",
    ]
    assert not any(q.text.endswith("?") for q in added)
    assert added[0].context == "What changed for you during the pilot?"
    assert added[1].context == "And what worried you?"
    assert added[2].context is None  # Tom spoke straight after Jane, unasked
    everything = " ".join(q.text + (q.speaker or "") for q in added)
    assert "Jane" not in everything and "Smith" not in everything and "Tom" not in everything
    assert added[0].speaker == added[1].speaker == "Participant 1"
    assert "real energy in the room" in added[0].text  # a continued turn is kept whole
    assert added[0].sentiment == "hopeful"
    assert added[2].sentiment == "sceptical"
    flagged = added[1].flags
    assert any("phone number" in f for f in flagged) and any("Dr Patel" in f for f in flagged)
    project = history.load(store, "tp")
    assert "name" not in project["participants"]["Participant 1"]
    assert set(project["participants"]) == {"Participant 1", "Participant 2"}  # no interviewer


def test_transcripts_and_word(tmp_path: Path) -> None:
    vtt = read_turns(H / "meeting.vtt")
    assert [(t.speaker, t.text[:20]) for t in vtt] == [
        ("Amira Khan", "We mapped the journe"),
        ("Rob Lee", "That story changed t"),
    ]
    assert vtt[0].text.endswith("closed for three weeks.")
    srt = read_turns(H / "panel.srt")
    assert len(srt) == 1 and srt[0].text.startswith("The Treasury acting as a broker")
    from docx import Document

    word = Document()
    word.add_paragraph("Interview, March 2010")
    word.add_paragraph(
        "Priya Shah (Third sector partner): The voluntary sector was at the table for once."
    )
    word.add_paragraph("It made a difference to the families we work with.")
    path = tmp_path / "interview.docx"
    word.save(str(path))
    (turn,) = read_turns(path)
    assert turn.role_hint == "Third sector partner"
    assert turn.text.endswith("families we work with.")


def test_an_unknown_role_is_refused_and_nothing_kept(sqlite_store: Store) -> None:
    with pytest.raises(ImportRejected) as caught:
        history.import_interview(
            sqlite_store, "tp", H / "panel.srt", {"Sam Ward": "Astronaut"}, None, "given", "editor"
        )
    assert caught.value.problems[0].column == "Sam Ward"
    with pytest.raises(NotFound):  # nothing was kept: there is no such history
        history.load(sqlite_store, "tp")


def test_coding_suggestions_and_filters(sqlite_store: Store) -> None:
    history.import_text(sqlite_store, "tp", H / "report_extract.txt", "editor")
    history.update_quote(sqlite_store, "tp", "q4", "editor", theme="Barriers / Pooled budgets")
    history.update_quote(sqlite_store, "tp", "q1", "editor", theme="The count")
    history.import_interview(
        sqlite_store,
        "tp",
        H / "interview.txt",
        {"Interviewer": "Programme Lead", "Tom Brown": "Senior Civil Servant"},
        None,
        "given",
        "editor",
    )
    bank = history.quotes(history.load(sqlite_store, "tp"))
    tom = next(q for q in bank if "pool budgets" in q.text)
    suggested = history.suggestions(sqlite_store, "tp", tom.id)
    assert suggested[0][0] == "Barriers/Pooled budgets"
    assert [q.id for q in filtered(bank, theme="Barriers")] == ["q4"]
    assert {q.id for q in filtered(bank, sentiment="sceptical")} >= {"q3", "q4"}


def test_the_document_in_three_formats(sqlite_store: Store, tmp_path: Path) -> None:
    from docx import Document
    from pypdf import PdfReader

    history.import_text(sqlite_store, "tp", H / "report_extract.txt", "editor")
    history.update_quote(
        sqlite_store,
        "tp",
        "q1",
        "editor",
        text="We kept discovering funding from the DWP right up to the "
        "deadline, as Eric Pickles said.",
    )
    history.set_outline(sqlite_store, "tp", H / "outline.json", "editor")
    # Nothing is published until a person approves it.
    assert [len(s["quotes"]) for s in assemble(history.load(sqlite_store, "tp")).sections] == [
        0,
        0,
    ]
    for n in range(1, 6):
        history.update_quote(sqlite_store, "tp", f"q{n}", "editor", approved=True)
    document = assemble(history.load(sqlite_store, "tp"))
    assert [len(s["quotes"]) for s in document.sections] == [3, 2]
    assert document.glossary["DWP"] == "Department for Work and Pensions"
    assert document.people == ["Eric Pickles"]
    assert document.balance["by_section"] == {"Counting what we spend": 3, "Barriers": 2}
    html = write(document, tmp_path / "history.html").read_text()
    assert "Questions to consider" in html and "Programme Lead" in html
    pdf = write(document, tmp_path / "history.pdf")
    text = " ".join(page.extract_text() for page in PdfReader(str(pdf)).pages)
    assert "Counting what we spend" in text and "What would your count miss?" in text
    assert "Senior Civil Servant" in text
    # The approved quotes themselves, beside their section's narrative.
    flat = " ".join(text.split())
    assert "for the first time we saw the total spent on our place." in flat
    assert "The barriers are national." in flat
    docx = write(document, tmp_path / "history.docx")
    word = Document(str(docx))
    words = " ".join(p.text for p in word.paragraphs) + " ".join(
        c.text for t in word.tables for row in t.rows for c in row.cells
    )
    assert "Barriers" in words and "Which barrier is yours to remove?" in words
    assert "Glossary" in words and "DWP: Department for Work and Pensions" in words
    assert "We took some numbers out at the end, frankly" in words
    assert "\u2014 Senior Civil Servant" in words


def test_identifying_quotes_wait_for_approval(sqlite_store: Store, tmp_path: Path) -> None:
    history.import_interview(
        sqlite_store,
        "tp",
        H / "interview.txt",
        {"Interviewer": "Programme Lead", "Tom Brown": "Senior Civil Servant"},
        None,
        "given",
        "editor",
    )
    outline = tmp_path / "o.json"
    outline.write_text('{"sections": [{"title": "All", "quotes": ["q1","q2","q3"]}]}')
    history.set_outline(sqlite_store, "tp", outline, "editor")
    history.update_quote(sqlite_store, "tp", "q1", "editor", approved=True)
    history.update_quote(sqlite_store, "tp", "q3", "editor", approved=True)
    held = assemble(history.load(sqlite_store, "tp"))
    assert held.held_back == 1 and [q.id for q in held.sections[0]["quotes"]] == ["q1", "q3"]
    history.update_quote(
        sqlite_store,
        "tp",
        "q2",
        "editor",
        approved=True,
        text="Honestly, that the savings would be scaled up and demanded everywhere.",
    )
    assert len(assemble(history.load(sqlite_store, "tp")).sections[0]["quotes"]) == 3


def test_cli(tmp_path: Path) -> None:
    import os

    env = {**os.environ, "TOTALPLACE_HOME": str(tmp_path / "home")}
    cli("history", "import-text", str(H / "report_extract.txt"), "--project", "tp", env=env)
    body = exact_json(cli("history", "quotes", "tp", "--json", env=env).stdout)
    assert len(body) == 5
    assert body[1] == {**body[1], "id": "q2", "role": "Programme Lead", "section": None}
    cli("history", "outline", "tp", str(H / "outline.json"), env=env)
    cli("history", "build", "tp", "--out", str(tmp_path / "h.docx"), env=env)
    assert (tmp_path / "h.docx").stat().st_size > 0


def test_the_taxonomy_can_be_edited(sqlite_store: Store) -> None:
    history.import_text(sqlite_store, "tp", H / "report_extract.txt", "editor")
    roles = history.edit_taxonomy(sqlite_store, "tp", ["Health Service, Clinician"], [], "editor")
    assert roles[-1] == "Health Service, Clinician"
    with pytest.raises(ImportRejected):
        history.edit_taxonomy(sqlite_store, "tp", [], ["Politician"], "editor")  # in use
    assert "Citizen" not in history.edit_taxonomy(sqlite_store, "tp", [], ["Citizen"], "editor")
