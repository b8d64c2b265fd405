"""Sharing savings from the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from totalplace.core import console
from totalplace.core.console import out

app = typer.Typer()


@app.command("allocate")
def allocate_command(
    path: Annotated[Path, typer.Argument(help="A game file (JSON, docs/formats/game.md).")],
    method: Annotated[
        str, typer.Option(help="shapley, nucleolus, proportional or equal.")
    ] = "shapley",
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Share a pooled budget's savings between agencies by a stated rule, and check the
    core: would any group of agencies do better on its own?"""
    from totalplace.sharing.service import allocate_file

    # Reading a game of 20 agencies (a million coalitions) takes a few seconds: show it.
    with console.friendly_errors(), console.progress(f"Sharing out by {method}"):
        result = allocate_file(path, method)
    if as_json:
        console.print_json(result.as_json())
        return
    out.print(f"[bold]{method}[/]: {result.explanation}")
    table = Table("Agency", "Share", title=f"Sharing {result.total:,.2f}", title_justify="left")
    for player, share in zip(result.players, result.shares, strict=True):
        table.add_row(player, f"{share:,.2f}")
    out.print(table)
    out.print(
        "In the core: "
        + ("yes, no group of agencies would do better on its own" if result.in_core else "no")
    )
    for note in result.notes:
        out.print(f"[yellow]Note:[/] {note}")
