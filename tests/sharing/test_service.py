"""`totalplace allocate`: its JSON contract, and game files with mistakes in them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import DATA, cli, exact_json
from totalplace.core.problems import ImportRejected
from totalplace.sharing.service import allocate_file

TALMUD = DATA / "games" / "talmud_200.json"


def test_json_contract() -> None:
    body = exact_json(cli("allocate", str(TALMUD), "--method", "nucleolus", "--json").stdout)
    assert body["method"] == "nucleolus"
    assert {k: float(v) for k, v in body["allocation"].items()} == {
        "first": 50.0,
        "second": 75.0,
        "third": 75.0,
    }
    assert body["in_core"] is True


def test_every_method(tmp_path: Path) -> None:
    path = tmp_path / "game.json"
    path.write_text(
        json.dumps(
            {"players": ["A", "B", "C"], "values": {"A": 0, "A+B": 40, "C+A+B": 100, "B": 10}}
        )
    )
    shapley = allocate_file(path, "shapley")
    assert sum(shapley.shares) == pytest.approx(100)
    assert allocate_file(path, "equal").shares == pytest.approx([100 / 3] * 3)
    # Without benefits, in proportion to what each achieves alone: only B does.
    assert allocate_file(path, "proportional").shares == pytest.approx([0, 100, 0])
    path.write_text(json.dumps({"players": ["A", "B"], "values": {"A+B": 100}}))
    with pytest.raises(ValueError, match="not negative and not all zero"):
        allocate_file(path, "proportional")
    path.write_text(
        json.dumps(
            {
                "players": ["A", "B", "C"],
                "benefits": {"A": 1, "B": 1, "C": 2},
                "values": {"A+B+C": 100},
            }
        )
    )
    assert allocate_file(path, "proportional").shares == pytest.approx([25, 25, 50])


def problem(tmp_path: Path, content: object) -> tuple[str, str | None]:
    path = tmp_path / "game.json"
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    with pytest.raises(ImportRejected) as caught:
        allocate_file(path, "shapley")
    first = caught.value.problems[0]
    return first.message, first.column


def test_bad_game_files_point_at_the_field(tmp_path: Path) -> None:
    assert "not valid JSON" in problem(tmp_path, "{players: }")[0]
    assert problem(tmp_path, {"values": {}})[1] == "players"
    assert problem(tmp_path, {"players": ["A", "A"], "values": {}})[1] == "players"
    message, where = problem(tmp_path, {"players": ["A", "B"], "values": {"A+X": 3}})
    assert where == "values.A+X" and "X in 'A+X' is not among the players" in message
    message, where = problem(tmp_path, {"players": ["A", "B"], "values": {"A+B": "forty"}})
    assert where == "values.A+B" and "must be a number" in message
    message, where = problem(tmp_path, {"players": ["A", "B"], "values": {"A+B": 4, "B+A": 5}})
    assert where == "values.B+A" and "same coalition as 'A+B'" in message


def test_the_cli_says_what_is_wrong(tmp_path: Path) -> None:
    path = tmp_path / "game.json"
    path.write_text(json.dumps({"players": ["A", "B"], "values": {"A+Z": 1}}))
    result = cli("allocate", str(path), check=False)
    assert result.returncode == 1
    assert "game.json, column 'values.A+Z'" in result.stderr
    wrong = cli("allocate", str(TALMUD), "--method", "fairest", check=False)
    assert wrong.returncode == 1 and "'fairest' is not a rule" in wrong.stderr


def test_broken_json_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "game.json"
    path.write_text('{\n  "players": ["A", "B"],\n  "values": {"A+B": 40,}\n}\n')
    with pytest.raises(ImportRejected) as caught:
        allocate_file(path, "shapley")
    (problem,) = caught.value.problems
    assert (problem.code, problem.file, problem.row) == ("bad-game", "game.json", 3)
    assert "not valid JSON" in problem.message and "docs/formats/game.md" in str(problem)
