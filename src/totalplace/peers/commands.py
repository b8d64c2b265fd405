"""Benchmarking from the command line: a district's peers, its spending per head beside
them, and the national roll-up of published counts."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from totalplace.core import console
from totalplace.core.console import out
from totalplace.core.money import pence_to_pounds

app = typer.Typer()
peers_app = typer.Typer(
    help="Benchmarking: peer groups, spending per head beside peers, the national roll-up.",
    no_args_is_help=True,
)
app.add_typer(peers_app, name="peers")

SetOption = Annotated[str, typer.Option("--set", help="computed, dfe-2021 or dfe-2025.")]
KOption = Annotated[int, typer.Option("-k", help="How many neighbours (1 to 30).")]
WeightOption = Annotated[
    list[str] | None,
    typer.Option("--weight", help="A metric's weight, as metric=number (repeat)."),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def _weights(given: list[str] | None) -> dict[str, float]:
    from totalplace.core.problems import Problem
    from totalplace.peers import service

    typed: dict[str, str] = {}
    for item in given or []:
        key, sep, value = item.partition("=")
        if not sep:
            raise service.BadPeerOptions(
                problems=[
                    Problem("bad-peer-options", f"{item!r} is not metric=number", column="--weight")
                ]
            )
        typed[key.strip()] = value.strip()
    return service.parse_weights(typed)


def _pounds(pence: int | None) -> str:
    """Whole pounds for a table: a few pence either way show as £0, not £-0."""
    if pence is None:
        return "-"
    pounds = round(pence / 100)
    return f"-£{-pounds:,}" if pounds < 0 else f"£{pounds:,}"


def _group_json(group: Any) -> dict[str, Any]:
    return {
        "gss_code": group.gss_code,
        "name": group.name,
        "set": group.set_key,
        "title": group.title,
        "note": group.note,
        "weights": group.weights if group.set_key == "computed" else None,
        "peers": [
            {"gss_code": p.gss_code, "name": p.name, "distance": p.distance, "band": p.band}
            for p in group.peers
        ],
    }


@peers_app.command("neighbours")
def neighbours_command(
    district: Annotated[str, typer.Argument(help="The district's GSS code, e.g. E08000009.")],
    peer_set: SetOption = "computed",
    k: KOption = 10,
    weight: WeightOption = None,
    as_json: JsonOption = False,
) -> None:
    """A district's peer group: its nearest neighbours computed from public metrics
    (deprivation, population, age, density, rurality) with the weights given, or a
    published set."""
    from totalplace.peers import service

    with console.friendly_errors():
        group = service.peer_group(district, peer_set, _weights(weight), k)
    if as_json:
        console.print_json(_group_json(group))
        return
    if group.note:
        out.print(group.note, markup=False)
    table = Table(
        "#",
        "District",
        "GSS code",
        "Distance" if peer_set == "computed" else "Closeness",
        title=f"{group.name}: {group.title}",
        title_justify="left",
    )
    for i, p in enumerate(group.peers, 1):
        shown = f"{p.distance:.3f}" if p.distance is not None else (p.band or "")
        table.add_row(str(i), p.name, p.gss_code, shown)
    out.print(table)


@peers_app.command("compare")
def compare_command(
    district: Annotated[str, typer.Argument(help="The district's GSS code.")],
    year: Annotated[
        str, typer.Option("--year", help="The financial year, e.g. 2017-18.")
    ] = "2017-18",
    peer_set: SetOption = "computed",
    k: KOption = 10,
    weight: WeightOption = None,
    as_json: JsonOption = False,
) -> None:
    """The district's top-down count per head by function beside its peers' median and
    range (needs the national count)."""
    from totalplace.peers import service

    with console.friendly_errors():
        group = service.peer_group(district, peer_set, _weights(weight), k)
        result = service.benchmark(group.gss_code, year, group)

    def gbp(pence: int | None) -> Any:
        return None if pence is None else pence_to_pounds(pence)

    rows = [*result.rows, *([result.total] if result.total else [])]
    if as_json:
        console.print_json(
            {
                "financial_year": year,
                "available": result.available,
                "group": _group_json(group),
                "population_year": result.population_year,
                "warnings": result.warnings,
                "by_cofog_division": [
                    {
                        "code": r.code,
                        "label": r.label,
                        "per_head_gbp": gbp(r.place_pence),
                        "peer_median_per_head_gbp": gbp(r.peer_median_pence),
                        "peer_low_per_head_gbp": gbp(r.peer_low_pence),
                        "peer_high_per_head_gbp": gbp(r.peer_high_pence),
                        "ratio": r.ratio,
                    }
                    for r in rows
                ],
            }
        )
        return
    if not result.available:
        out.print(f"The national count for {year} is not available on this server.")
        return
    table = Table(
        "Function",
        result.name,
        "Peers' median",
        "Range",
        "Ratio",
        title=f"Spending per head {year}, beside {result.peers_with_figures} peers",
        title_justify="left",
    )
    for r in rows:
        table.add_row(
            r.label if r.code == "total" else f"{r.code} {r.label}",
            _pounds(r.place_pence),
            _pounds(r.peer_median_pence),
            f"{_pounds(r.peer_low_pence)} to {_pounds(r.peer_high_pence)}",
            f"{r.ratio:.2f}" if r.ratio is not None else "-",
        )
    out.print(table)


@peers_app.command("rollup")
def rollup_command(
    year: Annotated[str, typer.Option("--year", help="The financial year, e.g. 2017-18.")],
    as_json: JsonOption = False,
) -> None:
    """Every place's newest published count for the year, summed as published (never
    scaled), with its coverage: places, agencies and population."""
    from totalplace.peers import service

    with console.friendly_errors(), console.store() as store:
        rolled = service.rollup(store, year)
    if as_json:
        console.print_json(
            {
                "financial_year": rolled.financial_year,
                "total_gbp": pence_to_pounds(rolled.total_pence),
                "estimated_gbp": pence_to_pounds(rolled.estimated_pence),
                "coverage": {
                    "places": len(rolled.places),
                    "agencies_counted": rolled.agencies_counted,
                    "agencies_missing": rolled.agencies_missing,
                    "population": rolled.population_covered,
                    "population_share_of_england": rolled.population_share,
                    "places_without_population": rolled.places_without_population,
                },
                "places": [
                    {
                        "place_id": c.place_id,
                        "name": c.place_name,
                        "version": c.version,
                        "population": c.population,
                        "total_gbp": pence_to_pounds(c.total_pence),
                    }
                    for c in rolled.places
                ],
                "by_cofog_division": [
                    {"code": code, "gbp": pence_to_pounds(p)}
                    for code, p in rolled.by_function_pence.items()
                ],
            }
        )
        return
    out.print(
        f"{len(rolled.places)} place(s) published a {year} count: £{rolled.total_pence / 100:,.2f} "
        f"counted for {rolled.population_covered:,} people; nothing is scaled to places "
        "that have not counted."
    )
    for c in rolled.places:
        out.print(f"  {c.place_name} (v{c.version}): £{c.total_pence / 100:,.2f}", markup=False)
