"""Commands for whole places: import and export the data package, list places."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from totalplace.core import console
from totalplace.core.console import out

app = typer.Typer()


@app.command("import")
def import_command(
    path: Annotated[Path, typer.Argument(help="A place data package: a folder or a .zip.")],
    replace: Annotated[
        bool, typer.Option(help="Replace the place if it is stored already.")
    ] = False,
    by: Annotated[str | None, typer.Option(help="Who is importing (for the audit log).")] = None,
) -> None:
    """Load a place data package. All or nothing: on any problem nothing is stored."""
    from totalplace.places.service import packages

    with (
        console.friendly_errors(),
        console.store() as store,
        console.progress(f"Importing {path}") as report,
    ):
        result = packages.import_package(
            path, store=store, actor=by, replace=replace, report=report
        )
    out.print(
        f"Imported place [bold]{result.place_id}[/]: {result.agencies} agencies, "
        f"{result.lines:,} spend lines in {result.submissions} returns "
        f"({', '.join(result.financial_years) or 'no years'})."
    )
    if result.resources:
        out.print(f"With its {', '.join(result.resources)}.")
    if result.replaced:
        out.print(
            "[yellow]Replaced[/] everything the place held before (returns, classification, "
            "publications, cases, journeys, models, learning histories); its people kept "
            "their roles."
        )


@app.command("delete")
def delete_command(
    place_id: Annotated[str, typer.Argument(help="The place to delete.")],
    yes: Annotated[bool, typer.Option("--yes", help="Delete without asking.")] = False,
) -> None:
    """Delete a place and everything it holds. Export it first to keep a copy."""
    from totalplace.places.service import packages

    if not yes and not typer.confirm(
        f"Delete {place_id} and everything it holds (this cannot be undone)?", err=True
    ):
        raise typer.Exit(code=1)
    with console.friendly_errors(), console.store() as store:
        packages.delete_place(store, place_id, actor=console.actor())
    out.print(f"Deleted place {place_id}.")


@app.command("export")
def export_command(
    place_id: Annotated[str, typer.Argument(help="The place to export.")],
    path: Annotated[Path, typer.Argument(help="A folder to write, or a path ending in .zip.")],
) -> None:
    """Write a place back out as a data package."""
    from totalplace.places.service import packages

    with (
        console.friendly_errors(),
        console.store() as store,
        console.progress(f"Exporting {place_id}"),
    ):
        written = packages.export_package(place_id, path, store=store)
    out.print(f"Wrote {written}")


@app.command("places")
def places_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List the stored places."""
    from totalplace.places.service.places import stored_places

    with console.store() as store:
        rows = [
            {"place_id": p.place_id, "name": p.name, "gss_codes": p.gss_codes}
            for p in stored_places(store)
        ]
    if as_json:
        console.print_json(rows)
        return
    table = Table("Place", "Name", "Areas")
    for row in rows:
        table.add_row(row["place_id"], row["name"], row["gss_codes"])
    out.print(table)
