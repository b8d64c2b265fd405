"""Commands of the count: import a return, classify, the template, the count itself."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer
from rich.table import Table

from totalplace.core import console
from totalplace.core.console import err, out
from totalplace.core.money import format_gbp

if TYPE_CHECKING:
    from totalplace.count.files.returns import ReadPlan
    from totalplace.count.rules.count import CountResult
    from totalplace.count.service import returns


app = typer.Typer()


@app.command("count")
def count_command(
    place_id: Annotated[str, typer.Argument(help="The place to count.")],
    year: Annotated[str, typer.Option("--year", help="Financial year, e.g. 2009-10.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """The consolidated count of a place for one financial year."""
    from totalplace.count.service.counting import count_place

    with console.friendly_errors(), console.store() as store:
        result = count_place(place_id, year, store=store)
    if as_json:
        console.print_json(result.to_json())
    else:
        print_count(result)


def print_count(result: CountResult) -> None:
    data = result.to_json()
    out.print(f"\n[bold]{result.place_name}[/] ({result.place_id}), {result.financial_year}")
    out.print(f"Total public spending: [bold]{format_gbp(result.total_pence)}[/]")
    if result.per_head_pence is not None:
        out.print(
            f"Population {result.population:,} (mid-{result.population_year}); "
            f"per head {format_gbp(result.per_head_pence)}"
        )
    out.print(
        f"Transfers between agencies eliminated: {format_gbp(result.transfers_eliminated_pence)}; "
        f"estimated share of the total: {result.estimated_share:.1%}"
    )
    names = {a.key: a.label for a in result.by_agency}
    agency = Table("Agency", "Coverage", "£", title="By agency", title_justify="left")
    status = {c.agency_id: c.status for c in result.coverage}
    for item in result.by_agency:
        agency.add_row(
            item.label or item.key or "", status.get(item.key or "", ""), format_gbp(item.pence)
        )
    out.print(agency)
    labels = _cofog_labels()
    division = Table(
        "COFOG", "Function", "£", title="By function (COFOG division)", title_justify="left"
    )
    for item in result.by_cofog_division:
        division.add_row(
            item.key or "-", labels.get(item.key or "", "Unclassified"), format_gbp(item.pence)
        )
    out.print(division)
    kinds = Table("Spend type", "£", title="Revenue and capital", title_justify="left")
    for item in result.by_spend_type:
        kinds.add_row(item.key or "-", format_gbp(item.pence))
    out.print(kinds)
    if result.by_theme:
        themes = Table(
            "Theme", "£", title="By theme (a line may count in several)", title_justify="left"
        )
        for item in result.by_theme:
            themes.add_row(item.key or "", format_gbp(item.pence))
        out.print(themes)
    if result.reconciliation:
        rec = Table(
            "Payer",
            "Receiver",
            "Paid",
            "Received",
            "Difference",
            title="Reconciliation of payments between agencies",
            title_justify="left",
        )
        for r in result.reconciliation:
            rec.add_row(
                names.get(r.payer, r.payer) or r.payer,
                names.get(r.receiver, r.receiver) or r.receiver,
                format_gbp(r.paid_pence),
                format_gbp(r.received_pence),
                format_gbp(r.difference_pence),
            )
        out.print(rec)
    for note in data["notes"]:
        out.print(f"[yellow]Note:[/] {note}")


def _cofog_labels() -> dict[str, str]:
    from totalplace.core.reference import reference

    return {code: item.label for code, item in reference().cofog.items()}


@app.command("import-return")
def import_return_command(
    agency_id: Annotated[str, typer.Argument(help="The agency whose return this is.")],
    files: Annotated[list[Path], typer.Argument(help="One or more CSV, XLSX or ODS files.")],
    year: Annotated[str, typer.Option("--year", help="Financial year, e.g. 2009-10.")],
    place: Annotated[
        str | None, typer.Option(help="The place, when the agency is in several.")
    ] = None,
    mapping: Annotated[Path | None, typer.Option(help="A column mapping file (JSON).")] = None,
    save_mapping: Annotated[
        Path | None, typer.Option(help="Write the mapping used to this file.")
    ] = None,
    classification: Annotated[
        Path | None,
        typer.Option(help="A CSV of service,cofog,sercop rules for this agency's service names."),
    ] = None,
    yes: Annotated[
        bool, typer.Option("--yes", help="Accept recognised columns without asking.")
    ] = False,
    by: Annotated[str | None, typer.Option(help="Who is importing (for the audit log).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    include_hidden_sheets: Annotated[
        bool,
        typer.Option(
            "--include-hidden-sheets", help="Read hidden sheets too (left out by default)."
        ),
    ] = False,
    only_in_year: Annotated[
        bool,
        typer.Option(
            "--only-in-year", help="Import only the lines dated inside the year; list the rest."
        ),
    ] = False,
    split_years: Annotated[
        bool,
        typer.Option("--split-years", help="Import one return per financial year of the dates."),
    ] = False,
) -> None:
    """Import an agency's return for a year, replacing its previous one as a new version."""
    from totalplace.count.service import returns

    if only_in_year and split_years:
        err.print("Give --only-in-year or --split-years, not both.")
        raise typer.Exit(code=2)
    outside: Literal["refuse", "leave-out", "split"] = (
        "leave-out" if only_in_year else "split" if split_years else "refuse"
    )

    with (
        console.friendly_errors(),
        console.store() as store,
        console.progress(f"Reading {len(files)} file(s)") as report,
    ):

        def confirm(plan: ReadPlan) -> bool:
            with report.paused():
                _print_plan(plan)
                if yes:
                    return True
                if not sys.stdin.isatty():
                    err.print("Run again with --yes to accept these columns, or give --mapping.")
                    return False
                return typer.confirm("Import with these columns?", default=True, err=True)

        result = returns.import_return(
            agency_id,
            files,
            year,
            store=store,
            place_id=place,
            mapping_file=mapping,
            classification_file=classification,
            actor=by,
            confirm=confirm,
            report=report,
            include_hidden=include_hidden_sheets,
            outside_year=outside,
        )
    if result is None:
        raise typer.Exit(code=1)
    if save_mapping is not None:
        save_mapping.write_text(json.dumps(result.mapping, indent=2) + "\n", encoding="utf-8")
    if as_json:
        console.print_json(result.as_json())
        return
    out.print(
        f"Imported {result.line_count:,} lines ({format_gbp(result.total_pence)}) as version "
        f"{result.version} of {agency_id}'s {year} return."
    )
    for note in result.notes:
        out.print(f"[yellow]Note:[/] {note}")
    for made in result.years if len(result.years) > 1 else []:
        out.print(
            f"  {made.financial_year}: version {made.version}, {made.line_count:,} lines "
            f"({format_gbp(made.total_pence)})"
        )
    _print_left_out(result)
    _print_unclassified(result)


def _print_left_out(result: returns.ReturnImported) -> None:
    if not result.left_out:
        return
    table = Table("File", "Sheet", "Row", "£", "Why", title="Rows left out", title_justify="left")
    for row in result.left_out:
        table.add_row(row.file, row.sheet or "", str(row.row), row.amount or "", row.reason)
    out.print(table)


def _print_plan(plan: ReadPlan) -> None:
    table = Table(
        "File",
        "Sheet",
        "Header row",
        "Columns found",
        title="Columns recognised",
        title_justify="left",
    )
    for part in plan.parts:
        found = ", ".join(f"{field} ← {column!r}" for field, column in part.columns.items())
        unit = " (amounts in £000s)" if part.thousands else ""
        unit += " (amounts use a decimal comma)" if part.decimal_comma else ""
        table.add_row(part.file, part.sheet or "", str(part.header_row), found + unit)
    err.print(table)
    for sheet in plan.left_out:
        err.print(f"Not read: {sheet}.")


def _print_unclassified(result: returns.ReturnImported) -> None:
    if not result.unclassified:
        return
    table = Table(
        "Service name",
        "Lines",
        "£",
        "Suggestions",
        title=f"{len(result.unclassified)} service names have no COFOG code yet",
        title_justify="left",
    )
    for item in result.unclassified[:25]:
        hint = "; ".join(f"{s.cofog} ({s.reason})" for s in item.suggestions) or "-"
        table.add_row(item.service or "(blank)", f"{item.lines:,}", format_gbp(item.pence), hint)
    out.print(table)
    if len(result.unclassified) > 25:
        out.print(f"... and {len(result.unclassified) - 25} more (use --json to see them all).")
    out.print(
        "Classify them with --classification FILE (service,cofog,sercop) and import again, "
        "or with `totalplace classify`."
    )


@app.command("classify")
def classify_command(
    agency_id: Annotated[str, typer.Argument(help="The agency whose service names these are.")],
    rules: Annotated[Path, typer.Argument(help="CSV with columns service, cofog, sercop.")],
    place: Annotated[
        str | None, typer.Option(help="The place, when the agency is in several.")
    ] = None,
    by: Annotated[str | None, typer.Option(help="Who is classifying (for the audit log).")] = None,
) -> None:
    """Set an agency's classification rules (service name → COFOG, SeRCOP)."""
    from totalplace.count.service import returns

    with console.friendly_errors(), console.store() as store:
        saved = returns.classify(agency_id, rules, store=store, place_id=place, actor=by)
    out.print(f"Saved {saved} classification rules for {agency_id}.")


@app.command("template")
def template_command(
    place_id: Annotated[str, typer.Argument(help="The place.")],
    path: Annotated[Path, typer.Argument(help="Where to write the .xlsx template.")],
    year: Annotated[str | None, typer.Option("--year", help="Financial year to pre-fill.")] = None,
) -> None:
    """Write the place's XLSX count template for agencies to fill in."""
    from totalplace.count.service import template

    with console.friendly_errors(), console.store() as store:
        template.write_template(place_id, path, store=store, financial_year=year)
    out.print(f"Wrote {path}")
