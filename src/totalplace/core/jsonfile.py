"""JSON files people write by hand (cases, games, models, impacts): read with problems
that say where the mistake is, by line or by field path."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from pydantic_core import from_json

from totalplace.core.problems import ImportRejected, Problem


def parse_json(content: bytes | str, file: str, code: str) -> Any:
    """The document, or a problem at the line the JSON breaks on."""
    try:
        # pydantic's own parser (Rust) reads a game of a million coalitions in half the
        # time and gives what `json` gives; whatever it refuses (a broken file, a lone
        # surrogate) `json` reads again below, so every problem is said as before.
        return from_json(content)
    except ValueError:
        pass
    try:
        text = content.decode("utf-8") if isinstance(content, bytes) else content
        return json.loads(text)
    except UnicodeDecodeError as exc:
        raise ImportRejected(
            [
                Problem(
                    code,
                    "the file is not UTF-8 text",
                    file=file,
                    fix="Save it as UTF-8 and try again.",
                )
            ]
        ) from exc
    except json.JSONDecodeError as exc:
        raise ImportRejected(
            [
                Problem(
                    code,
                    f"the file is not valid JSON: {exc.msg} at column {exc.colno}",
                    file=file,
                    row=exc.lineno,
                )
            ]
        ) from exc


def read_json(path: Path, code: str) -> Any:
    if not path.exists():
        raise ImportRejected([Problem("file-not-found", f"{path} does not exist", file=path.name)])
    return parse_json(path.read_bytes(), path.name, code)


def field_path(location: tuple[Any, ...]) -> str:
    """`('costs', 0, 'amount')` as `costs[0].amount`."""
    where = ""
    for part in location:
        where += f"[{part}]" if isinstance(part, int) else (f".{part}" if where else str(part))
    return where or "(top)"


def validation_problems(exc: ValidationError, file: str, code: str) -> ImportRejected:
    """Every field a document gets wrong, named by its path."""
    return ImportRejected(
        [
            Problem(
                code,
                error["msg"].removeprefix("Value error, "),
                file=file,
                column=field_path(error["loc"]),
            )
            for error in exc.errors()
        ]
    )
