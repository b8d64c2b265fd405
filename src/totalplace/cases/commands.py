"""Invest-to-save business cases from the command line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from totalplace.core import console
from totalplace.core.console import out

app = typer.Typer()


case_app = typer.Typer(help="Invest-to-save business cases.", no_args_is_help=True)
app.add_typer(case_app, name="case")


@case_app.command("appraise")
def case_appraise_command(
    path: Annotated[Path, typer.Argument(help="A case file (JSON, docs/formats/case.md).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Appraise a business case as the Green Book does: NPV, benefit-cost ratio, payback,
    and who pays and who saves, agency by agency and year by year."""
    from totalplace.cases.service.appraising import appraise_file

    with console.friendly_errors(), console.progress("Appraising"):
        results = appraise_file(path)
    if as_json:
        body = [r.as_json() for r in results]
        console.print_json(body[0] if len(body) == 1 else body)
        return
    for result in results:
        a = result.appraisal
        out.print(
            f"\n[bold]{a.name}[/]: NPV £{a.npv:,.0f}, benefit-cost ratio "
            f"{'n/a' if a.bcr is None else f'{a.bcr:.2f}'}, payback "
            f"{'never' if a.payback_year is None else f'year {a.payback_year}'}"
        )
        table = Table(
            "Agency",
            "PV costs £",
            "PV benefits £",
            "of which cashable £",
            "NPV £",
            title="Who pays, who saves (present values)",
            title_justify="left",
        )
        for r in a.agencies:
            table.add_row(
                r.agency,
                f"{r.pv_costs:,.0f}",
                f"{r.pv_benefits:,.0f}",
                f"{r.pv_cashable:,.0f}",
                f"{r.npv:,.0f}",
            )
        out.print(table)
        if result.simulation is not None:
            s = result.simulation
            out.print(
                f"Over {s.draws:,} draws: NPV £{s.npv.mean:,.0f} (90% between "
                f"£{s.npv.low:,.0f} and £{s.npv.high:,.0f}); chance it pays overall "
                f"{s.probability_positive:.0%}"
            )
            for agency, (interval, better) in s.agencies.items():
                out.print(
                    f"  {agency}: better off in {better:.0%} of draws "
                    f"(NPV £{interval.low:,.0f} to £{interval.high:,.0f})"
                )


@case_app.command("from-model")
def case_from_model_command(
    path: Annotated[Path, typer.Argument(help="A model file (docs/formats/model.md).")],
    strategy: Annotated[str, typer.Option(help="The intervention strategy.")],
    first_year: Annotated[str, typer.Option(help="The financial year of year 0.")],
    target: Annotated[Path, typer.Option("--out", help="Where to write the case file.")],
) -> None:
    """A business case from a cost-of-failure model's strategy difference, agency by
    agency and year by year, ready for `totalplace case appraise`."""
    from totalplace.models.service.modelling import case_from_model

    with console.friendly_errors(path.name):
        spec = case_from_model(path, strategy, first_year)
    target.write_text(json.dumps(spec, indent=2) + "\n", encoding="utf-8")
    out.print(
        f"Wrote {target}: {len(spec['costs'])} costs and {len(spec['benefits'])} "
        "savings by agency and year."
    )


@case_app.command("impact")
def case_impact_command(
    path: Annotated[Path, typer.Argument(help="A budget impact file (docs/formats/impact.md).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Before a budget decision: the costs one agency's change shifts onto the others."""
    from totalplace.sharing.service import impact_of_file

    with console.friendly_errors():
        spec, impact = impact_of_file(path)
    if as_json:
        console.print_json(
            {
                "name": spec.name,
                "by_agency": {
                    a: [round(v, 2) for v in years] for a, years in impact.by_agency.items()
                },
                "present_value_gbp": {a: round(v, 2) for a, v in impact.present_value.items()},
                "place_present_value_gbp": round(impact.place_present_value, 2),
            }
        )
        return
    out.print(
        f"[bold]{spec.name}[/]: present value for the place "
        f"£{impact.place_present_value:,.0f} (negative saves the place money)"
    )
    table = Table(
        "Agency",
        *[f"year {t}" for t in range(impact.years + 1)],
        "PV £",
        title="Net cost (+) or saving (-) by agency and year",
        title_justify="left",
    )
    for agency, years in impact.by_agency.items():
        table.add_row(agency, *[f"{v:,.0f}" for v in years], f"{impact.present_value[agency]:,.0f}")
    out.print(table)
