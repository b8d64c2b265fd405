"""Cost-of-failure models from the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from totalplace.core import console
from totalplace.core.console import out

app = typer.Typer()


model_app = typer.Typer(help="Cost-of-failure models.", no_args_is_help=True)
app.add_typer(model_app, name="model")


@model_app.command("run")
def model_run_command(
    path: Annotated[Path, typer.Argument(help="A model file (JSON, docs/formats/model.md).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    draws: Annotated[
        int | None, typer.Option(help="Probabilistic draws (default: the file's).")
    ] = None,
    individuals: Annotated[int, typer.Option(help="Also run person by person, this many.")] = 0,
) -> None:
    """Run a state-transition model: each strategy's discounted costs by agency and its
    outcomes, and the increments between strategies."""
    from totalplace.models.service.modelling import run_model_file

    with console.friendly_errors(path.name), console.progress("Running the model"):
        result = run_model_file(path, draws, individuals)
    if as_json:
        console.print_json(result)
        return
    out.print(f"[bold]{result['name']}[/]")
    for strategy in result["strategies"]:
        parts = ", ".join(f"{a} £{c:,.0f}" for a, c in strategy["costs"].items())
        outcomes = ", ".join(f"{o} {v:,.3f}" for o, v in strategy["outcomes"].items())
        out.print(f"  {strategy['name']}: £{strategy['total_cost']:,.0f} ({parts}); {outcomes}")
    for inc in result["increments"]:
        per = ", ".join(
            f"£{v:,.0f} per {o}" for o, v in inc["cost_per_unit"].items() if v is not None
        )
        out.print(
            f"  {inc['strategy']} against {inc['compared_with']}: £{inc['cost']:,.0f} more; {per}"
        )
