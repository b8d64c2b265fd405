"""The demo place from the command line."""

from __future__ import annotations

from typing import Annotated

import typer

from totalplace.core import console
from totalplace.core.console import out
from totalplace.core.money import format_gbp

app = typer.Typer()


@app.command("demo")
def demo_command(
    replace: Annotated[bool, typer.Option(help="Rebuild the demo place if it exists.")] = True,
    count: Annotated[bool, typer.Option(help="Print the demo place's count.")] = True,
) -> None:
    """Build the Trafford demo place from real public data, then show its count."""
    from totalplace.count.service.counting import count_place
    from totalplace.demo import service as demo_service

    with console.friendly_errors(), console.store() as store:
        with console.progress("Building the Trafford demo place") as report:
            built = demo_service.build_demo(store=store, replace=replace, report=report)
        out.print(
            f"Demo place [bold]{built.place_id}[/] ready: {built.agencies} agencies, "
            f"{built.lines:,} lines, years {', '.join(built.financial_years)}."
        )
        if count:
            result = count_place(built.place_id, built.main_year, store=store)
            out.print(
                f"{result.place_name} {result.financial_year}: "
                f"[bold]{format_gbp(result.total_pence)}[/] of public spending"
                + (
                    f", {format_gbp(result.per_head_pence)} a head."
                    if result.per_head_pence is not None
                    else "."
                )
            )
            out.print(
                f"\nNext: `totalplace count {built.place_id} --year {built.main_year} --json`, "
                f"or `totalplace export {built.place_id} trafford.zip`."
            )
