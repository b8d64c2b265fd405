"""The national view from the command line: every English district's top-down count."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from totalplace.core import console
from totalplace.core.console import out

app = typer.Typer()
national_app = typer.Typer(
    help="Every English district's top-down count, from national statistics.",
    no_args_is_help=True,
)
app.add_typer(national_app, name="national")


@national_app.command("count")
def national_count_command(
    year: Annotated[str, typer.Option(help="The financial year, e.g. 2017-18.")] = "2017-18",
    basis: Annotated[
        str,
        typer.Option(
            help="How central spending reaches districts: population, or age (pensions by "
            "65+, family benefits by 0-15, schools by 5-18)."
        ),
    ] = "population",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Count every English district top-down for a financial year: local government's
    actual spending from its Revenue Outturn returns, central government's estimated from
    the Country and Regional Analysis (docs/national.md)."""
    from totalplace.national import service

    with console.friendly_errors(), console.progress("Counting every English district") as report:
        result = service.count_england(year, report=report, basis=basis)
    if as_json:
        console.print_json(result.to_json())
        return
    table = Table(title=f"Top-down count, {result.financial_year} (per head, £)")
    for name in ("District", "GSS code", "Population", "Total £", "Per head £", "Estimated"):
        table.add_column(name, justify="left" if name in ("District", "GSS code") else "right")
    for p in sorted(result.places, key=lambda p: -p.per_head_pence):
        table.add_row(
            p.name,
            p.gss_code,
            f"{p.population:,}",
            f"{p.total_pence / 100:,.0f}",
            f"{p.per_head_pence / 100:,.2f}",
            f"{p.estimated_share * 100:.1f}%",
        )
    out.print(table)
    for check in result.checks:
        out.print(
            f"{check.region}: RS local-government current spending differs from CRA's by "
            f"{check.gap_percent}%.",
            markup=False,
        )
    warned = sum(1 for p in result.places if p.warnings)
    out.print(f"{len(result.places)} districts; {warned} with warnings (see --json).")
