"""Deep dives from the command line: the flows through a place, importing flows, the
theme count and its rules, and where agencies pay the same suppliers."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from totalplace.core import console
from totalplace.core.console import err, out
from totalplace.core.money import format_gbp

app = typer.Typer()
deepdive_app = typer.Typer(
    help="Deep dives: themes, funding flows, duplication.", no_args_is_help=True
)
app.add_typer(deepdive_app, name="deepdive")

Place = Annotated[str, typer.Argument(help="The place's identifier.")]
Year = Annotated[str, typer.Option("--year", help="The financial year, as 2017-18.")]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON.")]


@app.command("flows")
def flows_command(place: Place, year: Year, as_json: AsJson = False) -> None:
    """The funding flows through a place in a year: what entered it (counted once), what
    its agencies passed on to each other, what left it, what each agency holds, and the
    streams by theme."""
    from totalplace.deepdive import service

    with console.friendly_errors(), console.store() as store:
        summary = service.flow_summary(store, place, year)
    if as_json:
        console.print_json(service.flows_json(summary))
        return
    out.print(f"Entering {place} in {year}: [bold]{format_gbp(summary.entering_pence)}[/]")
    out.print(f"Passed on between its agencies: {format_gbp(summary.within_pence)}")
    out.print(f"Leaving to bodies outside: {format_gbp(summary.leaving_pence)}")
    out.print(
        f"(A plain sum of all {summary.flows:,} flows would say {format_gbp(summary.naive_pence)}.)"
    )
    table = Table("Stream", "Entering", "Funders", "Recipients", "Ring-fenced", title="Streams")
    for s in summary.streams:
        fenced = "" if s.ring_fenced is None else ("yes" if s.ring_fenced else "no")
        table.add_row(
            s.stream,
            format_gbp(s.entering_pence),
            str(len(s.funders)),
            str(len(s.recipients)),
            fenced,
        )
    out.print(table)


def _mapping(items: list[str] | None) -> dict[str, str]:
    found = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            err.print(f"Error: --agency {item!r} must be ID_OR_NAME=AGENCY_ID.", markup=False)
            raise typer.Exit(code=1)
        found[key.strip()] = value.strip()
    return found


@deepdive_app.command("import-flows")
def import_flows_command(
    place: Place,
    path: Annotated[
        Path, typer.Argument(help="A 360Giving file (JSON, CSV, XLSX) or the flows template.")
    ],
    agency: Annotated[
        list[str] | None,
        typer.Option(
            "--agency",
            help="A funder or recipient (its identifier or name) that is an agency of the "
            "place, as GB-LAE-TRF=trafford-council (repeat).",
        ),
    ] = None,
) -> None:
    """Import funding flows, all or nothing: 360Giving grants (the government grants
    register's awards too) or the flows template."""
    from totalplace.deepdive import service

    if not path.exists():
        err.print(f"Error: {path} does not exist.", markup=False)
        raise typer.Exit(code=1)
    mapping = _mapping(agency)
    with console.friendly_errors(), console.store() as store:
        done = service.import_flows(
            store, place, path.read_bytes(), path.name, console.actor(), mapping
        )
    out.print(
        f"Imported {done.added + done.replaced} flows ({done.kind}) into {done.place_id}: "
        f"{done.added} new, {done.replaced} replaced, {format_gbp(done.total_pence)} in all."
    )
    for note in done.notes:
        out.print(note, markup=False)


@deepdive_app.command("template")
def template_command(
    place: Place,
    path: Annotated[Path, typer.Argument(help="Where to write the XLSX.")] = Path(
        "flows-template.xlsx"
    ),
) -> None:
    """Write the funding flows template (XLSX) with the place's agencies and themes."""
    from totalplace.deepdive import service

    with console.friendly_errors(), console.store() as store:
        path.write_bytes(service.template(store, place))
    out.print(f"Wrote {path}")


@deepdive_app.command("themes")
def themes_command(place: Place, year: Year, as_json: AsJson = False) -> None:
    """The theme count: each theme's money, by agency, function and funding stream; a line
    in several themes counts fully in each and once in the total."""
    from totalplace.deepdive import service

    with console.friendly_errors(), console.store() as store:
        view = service.theme_count(store, place, year)
    if as_json:
        console.print_json(service.theme_json(view, year))
        return
    table = Table("Theme", "Id", "Total", "Of which estimated", "Lines", title=f"Themes, {year}")
    for t in view.count.themes:
        table.add_row(
            t.name,
            t.theme_id,
            format_gbp(t.total_pence),
            format_gbp(t.estimated_pence),
            f"{t.lines:,}",
        )
    out.print(table)
    out.print(f"In any theme, each line once: {format_gbp(view.count.total_pence)}")


@deepdive_app.command("theme-rules")
def theme_rules_command(
    place: Place,
    path: Annotated[Path, typer.Argument(help="A CSV of theme_id, field, value, share, basis.")],
) -> None:
    """Replace the place's theme rules with a file's (docs/formats/funding-flows.md)."""
    from totalplace.deepdive import service

    if not path.exists():
        err.print(f"Error: {path} does not exist.", markup=False)
        raise typer.Exit(code=1)
    with console.friendly_errors(), console.store() as store:
        count = service.set_theme_rules(store, place, path.read_bytes(), path.name, console.actor())
    out.print(f"The place has {count} theme rules.")


@deepdive_app.command("set-themes")
def set_themes_command(
    place: Place,
    path: Annotated[Path, typer.Argument(help="A CSV of theme_id, name, description.")],
) -> None:
    """Replace the place's themes (the shipped ones until then) with a file's; every theme
    its rules name must stay."""
    from totalplace.deepdive import service

    if not path.exists():
        err.print(f"Error: {path} does not exist.", markup=False)
        raise typer.Exit(code=1)
    with console.friendly_errors(), console.store() as store:
        count = service.set_themes_from_file(
            store, place, path.read_bytes(), path.name, console.actor()
        )
    out.print(f"The place has {count} themes.")


@deepdive_app.command("duplicates")
def duplicates_command(place: Place, year: Year, as_json: AsJson = False) -> None:
    """Suppliers paid by more than one agency of the place, names normalised (case,
    punctuation, Ltd/Limited, trading-as) or matched by company or charity number."""
    from totalplace.deepdive import service

    with console.friendly_errors(), console.store() as store:
        overlap = service.supplier_overlap(store, place, year)
    if as_json:
        console.print_json(service.overlap_json(overlap, year))
        return
    table = Table("Supplier", "Agencies", "Total", "Matched by", title="Shared suppliers")
    for s in overlap.suppliers[:50]:
        table.add_row(
            "; ".join(s.names), ", ".join(s.by_agency), format_gbp(s.total_pence), s.matched_by
        )
    out.print(table)
    out.print(
        f"{len(overlap.suppliers):,} suppliers paid by more than one agency, "
        f"{format_gbp(overlap.total_pence)} in all."
    )
