"""Game files for `totalplace allocate` (docs/formats/game.md): JSON naming the agencies
and the value of each coalition, `"A+B": 40`, players joined with `+` in any order."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from totalplace.core.jsonfile import read_json
from totalplace.core.problems import ImportRejected, Problem, ProblemList
from totalplace.sharing.rules.allocation import Game, GameError, game_from_values


def read_game(path: Path) -> Game:
    return game_from_json(read_json(path, "bad-game"), path.name)


def game_from_json(data: Any, name: str = "game") -> Game:
    problems = ProblemList()

    def bad(where: str, message: str) -> None:
        problems.add(Problem("bad-game", message, file=name, column=where))

    if not isinstance(data, dict):
        bad("(top)", 'the file must hold one JSON object with "players" and "values"')
        problems.raise_if_any()
    players = data.get("players")
    values = data.get("values")
    if (
        not isinstance(players, list)
        or not players
        or not all(isinstance(p, str) and p.strip() and "+" not in p for p in players)
    ):
        bad("players", '"players" must be a list of agency names without "+" in them')
    elif len(set(players)) != len(players):
        bad("players", "each agency may be listed once only")
    if not isinstance(values, dict):
        bad("values", '"values" must be an object: {"A+B": 40, ...}')
    problems.raise_if_any()
    assert isinstance(players, list) and isinstance(values, dict)
    known = set(players)
    coalitions: dict[frozenset[str], float] = {}
    written: dict[frozenset[str], str] = {}
    for key, worth in values.items():
        members = frozenset(part.strip() for part in str(key).split("+"))
        where = f"values.{key}"
        if (
            not isinstance(worth, int | float)
            or isinstance(worth, bool)
            or not math.isfinite(worth)
        ):
            bad(where, f"the value of {key!r} must be a number")
        elif members - known:
            bad(
                where,
                f"{', '.join(sorted(members - known))} in {key!r} "
                f"{'is' if len(members - known) == 1 else 'are'} not among the players",
            )
        elif members in written:
            bad(where, f"{key!r} is the same coalition as {written[members]!r}: give it once")
        else:
            coalitions[members] = float(worth)
            written[members] = str(key)
    problems.raise_if_any()
    try:
        return game_from_values(players, coalitions)
    except GameError as exc:
        raise ImportRejected([Problem("bad-game", str(exc), file=name)]) from exc
