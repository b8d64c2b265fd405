"""Journeys and unit costs from the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from totalplace.core import console
from totalplace.core.console import out
from totalplace.core.problems import NotFound

app = typer.Typer()


journey_app = typer.Typer(
    help="Citizens' journeys through the place's services.", no_args_is_help=True
)
app.add_typer(journey_app, name="journey")


@journey_app.command("summary")
def journey_summary_command(
    path: Annotated[Path, typer.Argument(help="A journey file (CSV, docs/formats/journeys.md).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    price_year: Annotated[str | None, typer.Option(help="Price all costs in this year.")] = None,
    svg: Annotated[
        Path | None, typer.Option(help="Write a swim-lane picture per journey into this folder.")
    ] = None,
    own_costs: Annotated[
        Path | None,
        typer.Option(
            "--unit-costs", help="The place's own unit costs (CSV, as the shipped library)."
        ),
    ] = None,
) -> None:
    """Each journey's contacts, agencies, hand-offs, dead ends, loops, time and cost by
    agency, and the yearly cost for its cohort."""
    from dataclasses import asdict

    from totalplace.journeys import service as journeys

    with console.friendly_errors():
        own = None if own_costs is None else (own_costs.read_bytes(), own_costs.name)
        results = journeys.summarise_file(path.read_bytes(), path.name, price_year, own)
    if svg is not None:
        svg.mkdir(parents=True, exist_ok=True)
        for item in results:
            (svg / f"{item.journey.journey_id}.svg").write_text(item.picture, encoding="utf-8")
    if as_json:
        console.print_json(
            [
                {
                    **asdict(r.summary),
                    "person": r.journey.person,
                    "price_year": r.journey.price_year,
                    "cohort_per_year": r.journey.cohort_per_year,
                }
                for r in results
            ]
        )
        return
    for r in results:
        s, j = r.summary, r.journey
        out.print(
            f"\n[bold]{s.journey_id}[/] ({j.person}): {s.contacts} contacts with "
            f"{s.agencies} agencies over {s.days} days, {s.hand_offs} hand-offs, "
            f"{s.dead_ends} dead ends, {s.loops} loops; £{s.cost_gbp:,.2f}"
            + (f" ({j.price_year} prices)" if j.price_year else "")
        )
        table = Table(
            "Agency",
            "£ per journey",
            f"£ a year for {j.cohort_per_year:,.0f} people",
            title_justify="left",
        )
        for agency, cost in s.cost_by_agency.items():
            table.add_row(agency, f"{cost:,.2f}", f"{s.annual_cost_by_agency[agency]:,.0f}")
        out.print(table)


@journey_app.command("export")
def journey_export_command(
    path: Annotated[Path, typer.Argument(help="A journey file to read.")],
    target: Annotated[Path, typer.Argument(help="Where to write the pseudonymised CSV.")],
    price_year: Annotated[str | None, typer.Option(help="Price all costs in this year.")] = None,
) -> None:
    """Write journeys back as CSV: pseudonyms only, days not dates, costs in one price year."""
    from totalplace.journeys import service as journeys

    with console.friendly_errors():
        if not path.exists():
            raise NotFound(f"{path} does not exist")
        target.write_bytes(journeys.export_file(path.read_bytes(), path.name, price_year))
    out.print(f"Wrote {target}")


unitcost_app = typer.Typer(help="The unit-cost library.", no_args_is_help=True)
app.add_typer(unitcost_app, name="unitcost")


@unitcost_app.command("search")
def unitcost_search_command(
    words: Annotated[str, typer.Argument(help="Words to look for in the item.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    limit: Annotated[int, typer.Option(help="At most this many.")] = 20,
) -> None:
    """Find unit costs in the library shipped with totalplace."""
    from dataclasses import asdict

    from totalplace.journeys import service as journeys

    found = journeys.search_unit_costs(words, limit)
    if as_json:
        console.print_json([asdict(u) for u in found])
        return
    table = Table("Id", "Item", "£", "Price year", "Source")
    for u in found:
        table.add_row(u.unit_cost_id, u.item, f"{u.cost_gbp:,.2f}", u.price_year, u.source)
    out.print(table)


@unitcost_app.command("uprate")
def unitcost_uprate_command(
    amount: Annotated[float, typer.Argument(help="Pounds.")],
    from_year: Annotated[str, typer.Option("--from", help="Their price year, e.g. 2009-10.")],
    to_year: Annotated[str, typer.Option("--to", help="The price year wanted.")],
) -> None:
    """Move an amount between price years with the GDP deflator."""
    from totalplace.journeys import service as journeys

    with console.friendly_errors():
        value = journeys.uprate(amount, from_year, to_year)
    out.print(f"£{amount:,.2f} in {from_year} prices is £{value:,.2f} in {to_year} prices.")
