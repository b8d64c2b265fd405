"""The demo's learning history: interviews written for the demo (illustrative: no real
person said these words, and the history's name and first section say so), imported as
any interview is, with the interviewer's questions kept as context. Its sections are set
and its quotes placed and approved as a person would in the page."""

from __future__ import annotations

import tempfile
from pathlib import Path

from totalplace.core.context import Report
from totalplace.core.store.db import Store
from totalplace.history import service as history

NAME = "Illustrative demo interviews"
ACTOR = "totalplace demo"

# Each interview: its file name, who spoke in which role, and the words.
INTERVIEWS: tuple[tuple[str, dict[str, str], str], ...] = (
    (
        "finance-officer.txt",
        {"Alex Moor": "Local Place, Senior Officer"},
        """Interviewer: Where did the count start for you?
Alex Moor: With a spreadsheet nobody trusted. Every agency sent figures in its own
format, and we kept discovering funding right up to the deadline.
Interviewer: And what changed?
Alex Moor: For the first time the council, the hospital trust and the police looked at
one total for the place together. That was the moment people started to talk about
older people leaving hospital as one problem, not three budgets.
Interviewer: What worried you?
Alex Moor: That the savings would be taken off us before they were made. If the pool is
raided in year one, nobody will put money in again.
""",
    ),
    (
        "police-lead.txt",
        {"Sam Hale": "Programme Lead", "Priya Das": "Third sector partner"},
        """Facilitator: Tell me about the prison leavers.
Sam Hale: We mapped one man's first month out. Three weeks with no money, a night in the
cells, an overdose in A&E. Every agency did its job and the system still failed him.
Priya Das: Our housing workers knew him before anyone else did, but nobody asked us
to the table until the journey was drawn on the wall.
Facilitator: Did the business case persuade people?
Sam Hale: The police pay less than they save, the council pays more. Showing each
agency its own costs and benefits, and what it puts into the pool, is what got the
council's finance director to sign.
Priya Das: I am still doubtful it will last beyond the pilot. Short-term grants are a
barrier we have raised many times.
""",
    ),
)
# (title, narrative, questions, words that place a quote in it)
SECTIONS: tuple[tuple[str, str, list[str], tuple[str, ...]], ...] = (
    (
        "Counting what we spend",
        "Illustrative interviews written for the demo, not the words of real people. "
        "The count began with figures in every format and kept growing to the deadline."
        "\n\nSeeing one total for the place changed what partners talked about.",
        ["What would your own count miss?", "Who would you ask first?"],
        ("spreadsheet nobody trusted", "one total for the place"),
    ),
    (
        "Customer insight: a prison leaver's first month",
        "One journey, drawn on the wall, showed how agencies each doing their job can "
        "still fail a person; the voluntary sector knew him first.",
        ["Which agency in your place hears first, and is it at the table?"],
        ("first month out", "housing workers knew him"),
    ),
    (
        "Invest to save, and sharing the savings",
        "The cases pay off across agencies that did not pay for them. Partners signed "
        "once each could see its own costs, benefits and contribution to the pool; some "
        "doubted the pool would survive.",
        ["What would make your agency put money into a pool?"],
        ("own costs and benefits", "taken off us", "doubtful it will last"),
    ),
)

# The tone its authors set where the words alone suggest none, or the wrong one.
TONES = {"one total for the place": "hopeful", "taken off us": "sceptical"}


def add_demo(store: Store, place_id: str, report: Report) -> None:
    report("Adding the demo's learning history")
    key = f"{place_id}:{NAME}"
    with tempfile.TemporaryDirectory(prefix="totalplace-demo-history-") as folder:
        for file, speakers, spoken in INTERVIEWS:
            path = Path(folder) / file
            path.write_text(spoken, encoding="utf-8")
            history.import_interview(
                store, key, path, speakers, "Trafford", "given", ACTOR, place_id=place_id
            )
    bank = history.quotes(history.load(store, key))
    for title, narrative, questions, words in SECTIONS:
        history.save_section(store, key, title, narrative, questions, ACTOR)
        for quote in bank:
            if any(w in quote.text for w in words):
                # Written for the demo: checked by its authors, so approved to publish.
                tone = next((t for w, t in TONES.items() if w in quote.text), None)
                history.update_quote(
                    store,
                    key,
                    quote.id,
                    ACTOR,
                    section=title,
                    approved=True,
                    **({"tone": tone} if tone else {}),
                )
