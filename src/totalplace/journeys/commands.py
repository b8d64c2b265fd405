"""Journeys and unit costs from the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from totalplace.core import console
from totalplace.core.console import err, out

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

    from totalplace.core.reference import gdp_deflator, unit_costs
    from totalplace.journeys.files.journeys import read_journeys
    from totalplace.journeys.files.swimlane import swimlane_svg
    from totalplace.journeys.rules.journeys import summarise

    library = dict(unit_costs())
    if own_costs is not None:
        library.update(_own_unit_costs(own_costs))
    with console.friendly_errors():
        journeys = read_journeys(path, library, gdp_deflator(), price_year)
    summaries = [summarise(j) for j in journeys]
    if svg is not None:
        svg.mkdir(parents=True, exist_ok=True)
        for journey in journeys:
            (svg / f"{journey.journey_id}.svg").write_text(swimlane_svg(journey), encoding="utf-8")
    if as_json:
        console.print_json(
            [
                {
                    **asdict(s),
                    "person": j.person,
                    "price_year": j.price_year,
                    "cohort_per_year": j.cohort_per_year,
                }
                for s, j in zip(summaries, journeys, strict=True)
            ]
        )
        return
    for s, j in zip(summaries, journeys, strict=True):
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
    from totalplace.core.reference import gdp_deflator, unit_costs
    from totalplace.journeys.files.journeys import read_journeys, write_journeys

    with console.friendly_errors():
        journeys = read_journeys(path, unit_costs(), gdp_deflator(), price_year)
    write_journeys(journeys, target)
    out.print(f"Wrote {target}")


def _own_unit_costs(path: Path) -> dict[str, Any]:
    """A place's own unit costs: the shipped library's columns, checked row by row."""
    import csv as csv_module

    from totalplace.core.problems import Problem, ProblemList
    from totalplace.core.spreadsheets import decode
    from totalplace.core.years import is_financial_year
    from totalplace.journeys.rules.unitcosts import UnitCost

    problems = ProblemList()
    found: dict[str, Any] = {}
    rows = csv_module.DictReader(decode(path.read_bytes()).splitlines())
    for number, row in enumerate(rows, start=2):
        try:
            cost = float(row.get("cost_gbp") or "")
        except ValueError:
            problems.add(
                Problem(
                    "not-a-number",
                    f"{row.get('cost_gbp')!r} is not a number",
                    file=path.name,
                    row=number,
                    column="cost_gbp",
                )
            )
            continue
        if not row.get("unit_cost_id") or not is_financial_year(row.get("price_year") or ""):
            problems.add(
                Problem(
                    "blank-value",
                    "unit_cost_id and price_year (like 2013-14) are needed",
                    file=path.name,
                    row=number,
                    column="price_year",
                )
            )
            continue
        found[row["unit_cost_id"]] = UnitCost(
            row["unit_cost_id"],
            row.get("item", ""),
            row.get("unit", ""),
            cost,
            row.get("agency_type", ""),
            row["price_year"],
            row.get("source", path.name),
        )
    with console.friendly_errors():
        problems.raise_if_any()
    return found


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

    from totalplace.core.reference import unit_costs

    wanted = words.lower().split()
    found = [
        u
        for u in unit_costs().values()
        if all(w in f"{u.item} {u.unit_cost_id}".lower() for w in wanted)
    ][:limit]
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
    from totalplace.core.reference import gdp_deflator
    from totalplace.journeys.rules.unitcosts import PriceYearError, uprate

    try:
        value = uprate(amount, from_year, to_year, gdp_deflator())
    except PriceYearError as exc:
        err.print(f"Error: {exc}", markup=False)
        raise typer.Exit(code=1) from None
    out.print(f"£{amount:,.2f} in {from_year} prices is £{value:,.2f} in {to_year} prices.")
