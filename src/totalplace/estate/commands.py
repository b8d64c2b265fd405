"""The public estate from the command line: import an agency's estate file, and list
where agencies could share."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from totalplace.core import console
from totalplace.core.console import err, out

app = typer.Typer()
estate_app = typer.Typer(
    help="The public estate: assets, the map, co-location.", no_args_is_help=True
)
app.add_typer(estate_app, name="estate")


@estate_app.command("import")
def estate_import_command(
    place: Annotated[str, typer.Argument(help="The place's identifier.")],
    path: Annotated[Path, typer.Argument(help="An estate file (docs/formats/assets.md).")],
    agency: Annotated[str, typer.Option("--agency", help="The agency whose estate it is.")],
    metadata: Annotated[
        Path | None, typer.Option(help="The register's CSVW metadata (…-metadata.json).")
    ] = None,
    site: Annotated[
        list[str] | None, typer.Option("--site", help="An ERIC site code to keep (repeat).")
    ] = None,
) -> None:
    """Import an agency's estate: an assets file, a Transparency Code land and building
    register, GeoJSON building footprints, a point list or an ERIC return. All or nothing;
    assets already held for the agency are replaced."""
    from totalplace.estate import service

    if not path.exists():
        err.print(f"Error: {path} does not exist.", markup=False)
        raise typer.Exit(code=1)
    extra = metadata.read_bytes() if metadata is not None else None
    if extra is None and Path(f"{path}-metadata.json").exists():
        extra = Path(f"{path}-metadata.json").read_bytes()
    with console.friendly_errors(), console.store() as store, console.progress("Importing"):
        done = service.import_estate(
            store, place, path.read_bytes(), path.name, agency, console.actor(), extra, site or ()
        )
    out.print(
        f"Imported {done.added + done.replaced} assets of {done.agency_id} into {done.place_id} "
        f"({done.added} new, {done.replaced} replaced)."
    )
    for note in done.notes:
        out.print(note, markup=False)


@estate_app.command("colocate")
def estate_colocate_command(
    place: Annotated[str, typer.Argument(help="The place's identifier.")],
    within: Annotated[
        float, typer.Option("--within", help="The greatest distance apart, in metres.")
    ] = 400,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Pairs of assets of different agencies within a distance of each other, best first:
    scored by vacancy, floor area, tenure and lease expiry, with the reasons."""
    from totalplace.estate import service

    if within <= 0:
        err.print("Error: --within must be more than 0 metres.", markup=False)
        raise typer.Exit(code=1)
    with console.friendly_errors(), console.store() as store:
        pairs = service.colocation(store, place, within)
        body = service.pairs_json(store, place, pairs)
    if as_json:
        console.print_json(body)
        return
    table = Table(
        "Asset (agency)",
        "Near (agency)",
        "Metres",
        "Score",
        "Why",
        title=f"{len(pairs)} pairs within {within:g} m",
        title_justify="left",
    )
    for p in body["pairs"]:
        table.add_row(
            f"{p['a']['name']} ({p['a']['agency_id']})",
            f"{p['b']['name']} ({p['b']['agency_id']})",
            f"{p['distance_m']:,.0f}",
            str(p["score"]),
            "; ".join(p["why"]),
        )
    out.print(table)
