"""Interviews and reports into words and speakers: plain text with speaker turns, Word
documents, WebVTT and SRT transcripts, and quotes recovered from a report's text."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from totalplace.core.problems import ImportRejected, Problem
from totalplace.core.spreadsheets import decode
from totalplace.history.rules import match_role

_TURN = re.compile(r"^\s*([A-Z][\w.' -]{0,60}?)(?:\s*\(([^)]{2,80})\))?\s*:\s+(.+)$")
_TIMING = re.compile(r"^\s*\d{1,2}:\d{2}(:\d{2})?[.,]\d{3}\s*-->\s*")
_VOICE = re.compile(r"<v(?:\.[\w.]+)?\s+([^>]+)>(.*?)(?:</v>|$)")


@dataclass(frozen=True)
class Turn:
    speaker: str
    role_hint: str | None  # a role written beside the name, e.g. "Jane (Programme Lead)"
    text: str


def read_turns(path: Path) -> list[Turn]:
    if not path.exists():
        raise ImportRejected([Problem("file-not-found", f"{path} does not exist", file=path.name)])
    suffix = path.suffix.lower()
    lines = _docx_lines(path) if suffix == ".docx" else decode(path.read_bytes()).splitlines()
    if suffix in (".vtt", ".srt"):
        lines = _subtitle_lines(lines)
    turns = _turns(lines)
    if not turns:
        raise ImportRejected(
            [
                Problem(
                    "empty-return",
                    "no speaker turns were found",
                    file=path.name,
                    fix="Start each turn with the speaker's name and a colon, like "
                    '"Jane Smith: ...", or use <v Jane Smith> in a WebVTT file.',
                )
            ]
        )
    return turns


def _docx_lines(path: Path) -> list[str]:
    from docx import Document

    try:
        return [p.text for p in Document(str(path)).paragraphs]
    except Exception as exc:  # python-docx raises several kinds for a broken file
        raise ImportRejected(
            [
                Problem(
                    "file-unreadable", f"the Word document cannot be read ({exc})", file=path.name
                )
            ]
        ) from exc


def _subtitle_lines(lines: Sequence[str]) -> list[str]:
    """Cue text only: no header, cue numbers or timings; <v Name> voices as "Name: ..."."""
    out = []
    for line in lines:
        text = line.strip()
        if not text or text == "WEBVTT" or text.isdigit() or _TIMING.match(text):
            continue
        if text.startswith(("NOTE", "STYLE", "REGION")):
            continue
        voice = _VOICE.search(text)
        out.append(f"{voice.group(1).strip()}: {voice.group(2).strip()}" if voice else text)
    return out


def _turns(lines: Sequence[str]) -> list[Turn]:
    turns: list[Turn] = []
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        found = _TURN.match(line)
        if found and len(found.group(1).split()) <= 5:
            speaker, hint, text = found.group(1).strip(), found.group(2), found.group(3)
            if turns and turns[-1].speaker == speaker:  # one speaker across several cues
                last = turns.pop()
                turns.append(Turn(speaker, last.role_hint or hint, f"{last.text} {text}"))
            else:
                turns.append(Turn(speaker, hint, text))
        elif turns:
            last = turns.pop()
            turns.append(Turn(last.speaker, last.role_hint, f"{last.text} {line}"))
    return turns


@dataclass(frozen=True)
class RecoveredQuote:
    text: str
    role: str | None
    line: int  # where the quote starts in the file, for a person to check


def quotes_from_report(text: str, taxonomy: Sequence[str]) -> list[RecoveredQuote]:
    """Quotes each followed by a line naming the speaker's role, as learning histories
    print them; tolerant of broken and hyphenated lines, a role run onto the quote's last
    line, and misspelt roles. A quote with no role after it is returned unattributed."""
    lines = text.splitlines()
    out: list[RecoveredQuote] = []
    block: list[str] = []
    start = 0

    def flush(role: str | None) -> None:
        nonlocal block
        joined = _join(block)
        if joined and (role is not None or _looks_quoted(joined)):
            out.append(RecoveredQuote(_strip_quotes(joined), role, start + 1))
        block = []

    for number, raw in enumerate(lines):
        line = raw.strip()
        if line in _BULLETS:
            continue  # a list's bullet from the next column, run into the text
        if not line:
            if block and not _looks_quoted(_join(block)):
                block = []  # narrative between quotes, not a quote
            continue
        role = match_role(line, taxonomy)
        # A role with a number after it is a row of a table of voices, not a speaker.
        if role is not None and len(line) <= 60 and not line.rstrip()[-1:].isdigit():
            flush(role)
            continue
        if block and _opens_quote(line):
            # Text extracted from a PDF has no blank line between a paragraph and the
            # quote after it: a new opening mark ends narrative, or a quote left without
            # a role, before it.
            joined = _join(block)
            if not _looks_quoted(joined):
                block = []
            elif _closes_quote(joined):
                flush(None)
        tail_role, body = _role_at_end(line, taxonomy)
        if not block:
            start = number
        if tail_role is not None:
            block.append(body)
            flush(tail_role)
            continue
        block.append(line)
    if block:
        flush(None)
    return out


def _role_at_end(line: str, taxonomy: Sequence[str]) -> tuple[str | None, str]:
    """A column run together: 'as it always had.” Programme Lead'."""
    closing = max(line.rfind("\u201d"), line.rfind('"'))
    if 0 < closing < len(line) - 3:
        role = match_role(line[closing + 1 :], taxonomy)
        if role is not None:
            return role, line[: closing + 1]
    return None, line


def _join(block: Sequence[str]) -> str:
    text = ""
    for line in block:
        if text.endswith("-") and not text.endswith(" -"):
            text = text[:-1] + line  # a word broken across lines
        else:
            text = f"{text} {line}".strip()
    return re.sub(r"\s+", " ", text)


_BULLETS = {"\u2022", "\u00b7", "\u25aa", "\u25e6"}


def _opens_quote(line: str) -> bool:
    return line[:1] in ('"', "\u201c")


def _closes_quote(text: str) -> bool:
    return text.rstrip()[-1:] in ('"', "\u201d")


def _looks_quoted(text: str) -> bool:
    return text[:1] in ('"', "\u201c", "'", "\u2018")


def _strip_quotes(text: str) -> str:
    return text.strip().strip('"\u201c\u201d\u2018\u2019').strip()
