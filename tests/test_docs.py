"""Documentation is part of the product: a command, field, problem code or JSON key that
is not documented fails here."""

from __future__ import annotations

import re
from pathlib import Path

from typer.main import get_command

from tests.helpers import HANDMADE
from totalplace.core.cli import app
from totalplace.core.problems import PROBLEM_CODES
from totalplace.core.store.db import Store
from totalplace.count.files.returns import SYNONYMS
from totalplace.count.service.counting import count_place
from totalplace.places.files.schemas import RESOURCES
from totalplace.places.service.packages import import_package

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def section(text: str, heading: str) -> str:
    start = text.index(heading)
    following = re.search(r"\n## ", text[start + len(heading) :])
    return text[start : start + len(heading) + (following.start() if following else len(text))]


def test_every_command_is_documented() -> None:
    text = (DOCS / "cli.md").read_text()
    commands = get_command(app).commands  # type: ignore[attr-defined]
    assert commands, "the CLI has commands"
    for name in commands:
        assert f"### `totalplace {name}`" in text, name


def test_the_command_reference_is_generated_from_the_app() -> None:
    """docs/cli.md's reference is what cog makes from the Typer app now: a command or
    option added without regenerating it (`cog -r docs/cli.md`) fails here."""
    from cogapp import Cog

    assert Cog().main(["cog", "--check", str(DOCS / "cli.md")]) == 0


def test_every_problem_code_is_documented() -> None:
    text = (DOCS / "formats" / "errors.md").read_text()
    for code in PROBLEM_CODES:
        assert f"## `{code}`" in text, code


def test_every_package_field_is_documented() -> None:
    text = (DOCS / "formats" / "place-data-package.md").read_text()
    for resource in RESOURCES:
        part = section(text, f"## `{resource.name}` ({resource.path})")
        for field in resource.fields:
            assert f"| `{field.name}` | {field.type} |" in part, (resource.name, field.name)


def test_every_recognised_column_is_documented() -> None:
    text = (DOCS / "formats" / "column-mapping.md").read_text()
    for name, words in SYNONYMS.items():
        row = next(line for line in text.splitlines() if line.startswith(f"| `{name}` |"))
        for word in words:
            assert word in row, (name, word)


def test_every_count_json_key_is_documented(sqlite_store: Store) -> None:
    text = (DOCS / "formats" / "count-json.md").read_text()
    import_package(HANDMADE, store=sqlite_store)
    for key in count_place("testshire", "2009-10", store=sqlite_store).to_json():
        assert f"`{key}`" in text, key


def test_readme_commands_exist() -> None:
    text = (ROOT / "README.md").read_text()
    for script in re.findall(r"^bash (scripts/\w+)$", text, flags=re.MULTILINE):
        assert (ROOT / script).exists(), script
    assert "bash scripts/run" in text and "bash scripts/test" in text
    assert "bash scripts/test" in (ROOT / ".ci" / "run").read_text()
