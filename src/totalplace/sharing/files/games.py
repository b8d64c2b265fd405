"""Game files for `totalplace allocate` (docs/formats/game.md): JSON naming the agencies
and the value of each coalition, `"A+B": 40`, players joined with `+` in any order."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from itertools import repeat
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from totalplace.core.jsonfile import read_json
from totalplace.core.problems import ImportRejected, Problem, ProblemList
from totalplace.sharing.rules.allocation import (
    MAX_DENSE_PLAYERS,
    Game,
    GameError,
    game_from_masks,
)


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
    read = _read_masks_quickly(players, values)
    if read is None:
        # Something in the values needs a careful reading, to say what and where.
        read = _read_masks(players, values, bad)
        problems.raise_if_any()
    try:
        return game_from_masks(players, *read)
    except GameError as exc:
        raise ImportRejected([Problem("bad-game", str(exc), file=name)]) from exc


Masks = tuple[Sequence[int] | NDArray[np.int64], Sequence[float] | NDArray[np.float64]]


def _read_masks_quickly(players: list[str], values: dict[str, Any]) -> Masks | None:
    """The coalitions' masks and values when every key and value is written plainly
    (`"A+B": 40`, every name a player, none twice), as machine-written games with a
    million coalitions are; None when any is not, for `_read_masks` to explain."""
    if len(players) > MAX_DENSE_PLAYERS:
        return None  # masks beyond 63 bits; sparse games list few coalitions anyway
    bit = {p: 1 << i for i, p in enumerate(players)}
    keys = list(values)
    try:
        # Nested maps rather than a generator: the loop over a million keys runs in C.
        masks = np.fromiter(
            map(sum, map(map, repeat(bit.__getitem__), map(str.split, keys, repeat("+")))),
            dtype=np.int64,
            count=len(keys),
        )
    except KeyError:
        return None  # a name that is not a player, or written with spaces
    worths = list(values.values())
    if not set(map(type, worths)) <= {float, int}:
        return None
    try:
        numbers = np.array(worths, dtype=np.float64)
    except OverflowError:
        return None
    parts = np.fromiter(map(str.count, keys, repeat("+")), dtype=np.int64, count=len(keys)) + 1
    if (
        not np.isfinite(numbers).all()
        # A name given twice in one key adds its bit twice: read carefully.
        or not np.array_equal(np.bitwise_count(masks), parts)
        # The same coalition twice: counted by mask (a sort or hash of a million is slow).
        or np.bincount(masks, minlength=1 << len(players)).max(initial=0) > 1
    ):
        return None
    return masks, numbers


def _read_masks(
    players: list[str], values: dict[str, Any], bad: Callable[[str, str], None]
) -> Masks:
    """Every key and value read one by one, each mistake reported where it is."""
    known = set(players)
    bit = {p: 1 << i for i, p in enumerate(players)}
    coalitions: dict[int, float] = {}
    written: dict[int, str] = {}
    for key, worth in values.items():
        members = {part.strip() for part in str(key).split("+")}
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
        else:
            mask = sum(bit[m] for m in members)
            if mask in written:
                bad(where, f"{key!r} is the same coalition as {written[mask]!r}: give it once")
            else:
                coalitions[mask] = float(worth)
                written[mask] = str(key)
    # Python's integers: a sparse game may have more players than an int64 has bits.
    return list(coalitions), list(coalitions.values())
