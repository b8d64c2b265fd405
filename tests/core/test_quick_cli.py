"""A CLI call loads only the libraries its command uses: building the Typer app from every
capability's commands must not import the store, spreadsheets, Polars or SciPy."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("polars", "sqlalchemy", "alembic", "openpyxl", "scipy", "fastapi", "duckdb")


def loaded_after(code: str) -> set[str]:
    probe = f"import sys\n{code}\nprint(' '.join(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return set(done.stdout.split())


def test_building_the_cli_imports_no_heavy_library() -> None:
    loaded = loaded_after("import totalplace.core.cli")
    assert not {m for m in loaded if m.split(".")[0] in HEAVY}


def test_the_library_door_still_offers_its_functions() -> None:
    import totalplace

    assert callable(totalplace.count_place) and callable(totalplace.import_package)


def test_a_call_builds_only_its_command_and_answers_as_the_whole_app() -> None:
    from typer.testing import CliRunner

    from totalplace.core.cli import app, app_for

    model = "tests/data/models/hiv_chancellor_1997.json"
    runner = CliRunner()
    for args in (
        ["model", "run", model, "--json"],
        ["model", "run", "no-such-file.json"],
        ["model", "--help"],
        ["model"],
        ["allocate", "--help"],
    ):
        only = app_for(args)
        assert only is not app
        alone, whole = runner.invoke(only, args), runner.invoke(app, args)
        assert (alone.exit_code, alone.output) == (whole.exit_code, whole.output), args
    # Help, an option first and a mistyped name get the whole app and its suggestions.
    for args in ([], ["--help"], ["modle", "run"], ["--version"]):
        assert app_for(args) is app
