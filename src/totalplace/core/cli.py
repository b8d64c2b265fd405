"""The `totalplace` command: a thin door onto the service functions."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal

import typer
from rich.console import Console
from rich.status import Status
from rich.table import Table

from totalplace.core.config import Settings
from totalplace.core.money import format_gbp
from totalplace.core.problems import ImportRejected
from totalplace.core.store import audit as audit_store
from totalplace.core.store.db import Store, open_store
from totalplace.core.years import FinancialYearError
from totalplace.count.files.returns import ReadPlan
from totalplace.count.rules.count import CountResult
from totalplace.count.service import returns, template
from totalplace.count.service.counting import count_place
from totalplace.demo import service as demo_service
from totalplace.places import tables as place_tables
from totalplace.places.service import packages

app = typer.Typer(
    help="totalplace: count, understand and change all public spending in a place, together.",
    no_args_is_help=True,
    add_completion=False,
)
out = Console()
err = Console(stderr=True)


@contextmanager
def _store() -> Iterator[Store]:
    store = open_store(Settings.from_env())
    try:
        yield store
    finally:
        store.close()


class _Progress:
    """A live status line on stderr for anything that may take over a second."""

    def __init__(self, status: Status) -> None:
        self.status = status

    def __call__(self, text: str) -> None:
        self.status.update(text)

    @contextmanager
    def paused(self) -> Iterator[None]:
        """Stop the spinner while the user is asked something."""
        self.status.stop()
        try:
            yield
        finally:
            self.status.start()


@contextmanager
def _progress(message: str) -> Iterator[_Progress]:
    with err.status(message) as status:
        yield _Progress(status)


@contextmanager
def _friendly_errors() -> Iterator[None]:
    try:
        yield
    except ImportRejected as exc:
        err.print(exc.summary(), markup=False, highlight=False)
        raise typer.Exit(code=1) from None
    except FinancialYearError as exc:
        err.print(f"Error: {exc}", markup=False, highlight=False)
        raise typer.Exit(code=1) from None


def _json_default(value: object) -> Any:
    if isinstance(value, Decimal):
        # Two-decimal pounds under £10 trillion print exactly as a float's shortest repr.
        return float(value)
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def _print_json(data: object) -> None:
    sys.stdout.write(json.dumps(data, default=_json_default, indent=2, ensure_ascii=False) + "\n")


@app.command("import")
def import_command(
    path: Annotated[Path, typer.Argument(help="A place data package: a folder or a .zip.")],
    replace: Annotated[
        bool, typer.Option(help="Replace the place if it is stored already.")
    ] = False,
    by: Annotated[str | None, typer.Option(help="Who is importing (for the audit log).")] = None,
) -> None:
    """Load a place data package. All or nothing: on any problem nothing is stored."""
    with _friendly_errors(), _store() as store, _progress(f"Importing {path}") as report:
        result = packages.import_package(
            path, store=store, actor=by, replace=replace, report=report
        )
    out.print(
        f"Imported place [bold]{result.place_id}[/]: {result.agencies} agencies, "
        f"{result.lines:,} spend lines in {result.submissions} returns "
        f"({', '.join(result.financial_years) or 'no years'})."
    )


@app.command("export")
def export_command(
    place_id: Annotated[str, typer.Argument(help="The place to export.")],
    path: Annotated[Path, typer.Argument(help="A folder to write, or a path ending in .zip.")],
) -> None:
    """Write a place back out as a data package."""
    with _friendly_errors(), _store() as store, _progress(f"Exporting {place_id}"):
        written = packages.export_package(place_id, path, store=store)
    out.print(f"Wrote {written}")


@app.command("count")
def count_command(
    place_id: Annotated[str, typer.Argument(help="The place to count.")],
    year: Annotated[str, typer.Option("--year", help="Financial year, e.g. 2009-10.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """The consolidated count of a place for one financial year."""
    with _friendly_errors(), _store() as store:
        result = count_place(place_id, year, store=store)
    if as_json:
        _print_json(result.to_json())
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


@app.command("places")
def places_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List the stored places."""
    with _store() as store, store.sessions() as session:
        rows = [
            {"place_id": p.place_id, "name": p.name, "gss_codes": p.gss_codes}
            for p in place_tables.list_places(session)
        ]
    if as_json:
        _print_json(rows)
        return
    table = Table("Place", "Name", "Areas")
    for row in rows:
        table.add_row(row["place_id"], row["name"], row["gss_codes"])
    out.print(table)


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
    if only_in_year and split_years:
        err.print("Give --only-in-year or --split-years, not both.")
        raise typer.Exit(code=2)
    outside: Literal["refuse", "leave-out", "split"] = (
        "leave-out" if only_in_year else "split" if split_years else "refuse"
    )

    with (
        _friendly_errors(),
        _store() as store,
        _progress(f"Reading {len(files)} file(s)") as report,
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
        _print_json(result.as_json())
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
    with _friendly_errors(), _store() as store:
        saved = returns.classify(agency_id, rules, store=store, place_id=place, actor=by)
    out.print(f"Saved {saved} classification rules for {agency_id}.")


@app.command("template")
def template_command(
    place_id: Annotated[str, typer.Argument(help="The place.")],
    path: Annotated[Path, typer.Argument(help="Where to write the .xlsx template.")],
    year: Annotated[str | None, typer.Option("--year", help="Financial year to pre-fill.")] = None,
) -> None:
    """Write the place's XLSX count template for agencies to fill in."""
    with _friendly_errors(), _store() as store:
        template.write_template(place_id, path, store=store, financial_year=year)
    out.print(f"Wrote {path}")


@app.command("demo")
def demo_command(
    replace: Annotated[bool, typer.Option(help="Rebuild the demo place if it exists.")] = True,
    count: Annotated[bool, typer.Option(help="Print the demo place's count.")] = True,
) -> None:
    """Build the Trafford demo place from real public data, then show its count."""
    with _friendly_errors(), _store() as store:
        with _progress("Building the Trafford demo place") as report:
            built = demo_service.build_demo(store=store, replace=replace, report=report)
        out.print(
            f"Demo place [bold]{built.place_id}[/] ready: {built.agencies} agencies, "
            f"{built.lines:,} lines, years {', '.join(built.financial_years)}."
        )
        if count:
            print_count(count_place(built.place_id, built.main_year, store=store))
            out.print(
                f"\nNext: `totalplace count {built.place_id} --year {built.main_year} --json`, "
                f"or `totalplace export {built.place_id} trafford.zip`."
            )


@app.command("allocate")
def allocate_command(
    path: Annotated[Path, typer.Argument(help="A game file (JSON, docs/formats/game.md).")],
    method: Annotated[
        str, typer.Option(help="shapley, nucleolus, proportional or equal.")
    ] = "shapley",
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Share a pooled budget's savings between agencies by a stated rule, and check the
    core: would any group of agencies do better on its own?"""
    from totalplace.sharing.rules.allocation import GameError
    from totalplace.sharing.service import allocate_file

    try:
        # The nucleolus of 20 agencies takes about a minute on two cores: show it working.
        with _friendly_errors(), _progress(f"Sharing out by {method}"):
            result = allocate_file(path, method)
    except GameError as exc:
        err.print(f"Error: {exc}", markup=False)
        raise typer.Exit(code=1) from None
    if as_json:
        _print_json(result.as_json())
        return
    out.print(f"[bold]{method}[/]: {result.explanation}")
    table = Table("Agency", "Share", title=f"Sharing {result.total:,.2f}", title_justify="left")
    for player, share in zip(result.players, result.shares, strict=True):
        table.add_row(player, f"{share:,.2f}")
    out.print(table)
    out.print(
        "In the core: "
        + ("yes, no group of agencies would do better on its own" if result.in_core else "no")
    )
    for note in result.notes:
        out.print(f"[yellow]Note:[/] {note}")


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

    with _friendly_errors(), _progress("Appraising"):
        results = appraise_file(path)
    if as_json:
        body = [r.as_json() for r in results]
        _print_json(body[0] if len(body) == 1 else body)
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
    from totalplace.models.rules.expressions import ExpressionError
    from totalplace.models.rules.statemodel import ModelError
    from totalplace.models.service.modelling import case_from_model

    try:
        with _friendly_errors():
            spec = case_from_model(path, strategy, first_year)
    except (ModelError, ExpressionError) as exc:
        err.print(f"Error: {path.name}, {exc}", markup=False)
        raise typer.Exit(code=1) from None
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
    from totalplace.sharing.files.impacts import read_impact
    from totalplace.sharing.rules.impact import budget_impact

    with _friendly_errors():
        spec, change, links = read_impact(path)
    from totalplace.core.reference import discount_schedule

    impact = budget_impact(change, links, spec.discount_rate, discount_schedule())
    if as_json:
        _print_json(
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


model_app = typer.Typer(help="Cost-of-failure models.", no_args_is_help=True)
app.add_typer(model_app, name="model")


@model_app.command("run")
def model_run_command(
    path: Annotated[Path, typer.Argument(help="A model file (JSON, docs/formats/model.md).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    draws: Annotated[
        int | None, typer.Option(help="Probabilistic draws (default: the file's).")
    ] = None,
    individuals: Annotated[int, typer.Option(help="Also run person by person, this many.")] = 0,
) -> None:
    """Run a state-transition model: each strategy's discounted costs by agency and its
    outcomes, and the increments between strategies."""
    from totalplace.models.rules.expressions import ExpressionError
    from totalplace.models.rules.statemodel import ModelError
    from totalplace.models.service.modelling import run_model_file

    try:
        with _friendly_errors(), _progress("Running the model"):
            result = run_model_file(path, draws, individuals)
    except (ModelError, ExpressionError) as exc:
        err.print(f"Error: {path.name}, {exc}", markup=False)
        raise typer.Exit(code=1) from None
    if as_json:
        _print_json(result)
        return
    out.print(f"[bold]{result['name']}[/]")
    for strategy in result["strategies"]:
        parts = ", ".join(f"{a} £{c:,.0f}" for a, c in strategy["costs"].items())
        outcomes = ", ".join(f"{o} {v:,.3f}" for o, v in strategy["outcomes"].items())
        out.print(f"  {strategy['name']}: £{strategy['total_cost']:,.0f} ({parts}); {outcomes}")
    for inc in result["increments"]:
        per = ", ".join(
            f"£{v:,.0f} per {o}" for o, v in inc["cost_per_unit"].items() if v is not None
        )
        out.print(
            f"  {inc['strategy']} against {inc['compared_with']}: £{inc['cost']:,.0f} more; {per}"
        )


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
    with _friendly_errors():
        journeys = read_journeys(path, library, gdp_deflator(), price_year)
    summaries = [summarise(j) for j in journeys]
    if svg is not None:
        svg.mkdir(parents=True, exist_ok=True)
        for journey in journeys:
            (svg / f"{journey.journey_id}.svg").write_text(swimlane_svg(journey), encoding="utf-8")
    if as_json:
        _print_json(
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

    with _friendly_errors():
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
    with _friendly_errors():
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
        _print_json([asdict(u) for u in found])
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


history_app = typer.Typer(
    help="The learning history: people's own words, coded and told.", no_args_is_help=True
)
app.add_typer(history_app, name="history")


def _quote_json(quote: Any) -> dict[str, Any]:
    from dataclasses import asdict

    return asdict(quote)


@history_app.command("import-text")
def history_import_text_command(
    path: Annotated[
        Path,
        typer.Argument(
            help="A report's text: quotes, each followed by a line naming the speaker's role."
        ),
    ],
    project: Annotated[str, typer.Option(help="The learning history to add to.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Recover quotes and their roles from a report's text; list what has no role."""
    from totalplace.history import service as history

    with _friendly_errors(), _store() as store:
        added, unattributed = history.import_text(store, project, path, _actor())
    if as_json:
        _print_json({"added": added, "unattributed": [_quote_json(q) for q in unattributed]})
        return
    out.print(f"Added {added} quotes to {project}.")
    for quote in unattributed:
        out.print(f"[yellow]No role:[/] {quote.id} ({quote.source}): {quote.text[:80]}…")


@history_app.command("import-interview")
def history_import_interview_command(
    path: Annotated[
        Path, typer.Argument(help="Plain text, .docx, .vtt or .srt with speaker turns.")
    ],
    project: Annotated[str, typer.Option(help="The learning history to add to.")],
    speaker: Annotated[
        list[str] | None,
        typer.Option(help='A speaker\'s role: "Jane Smith=Programme Lead" (repeat for each).'),
    ] = None,
    place: Annotated[str | None, typer.Option(help="The place the interview is about.")] = None,
    consent: Annotated[str, typer.Option(help="given, withheld or unknown.")] = "unknown",
    keep_names: Annotated[
        bool, typer.Option(help="Keep the speakers' real names (only with their agreement).")
    ] = False,
) -> None:
    """Each speaker turn as a quote; names replaced by role and pseudonym on entry."""
    from totalplace.history import service as history

    roles = dict(item.split("=", 1) for item in speaker or [] if "=" in item)
    with _friendly_errors(), _store() as store:
        added = history.import_interview(
            store, project, path, roles, place, consent, _actor(), keep_names
        )
    out.print(f"Added {len(added)} quotes to {project}; speakers pseudonymised.")


@history_app.command("quotes")
def history_quotes_command(
    project: Annotated[str, typer.Argument(help="The learning history.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    theme: Annotated[str | None, typer.Option(help="Only this theme (and its sub-themes).")] = None,
    role: Annotated[str | None, typer.Option(help="Only this role.")] = None,
    place: Annotated[str | None, typer.Option(help="Only this place.")] = None,
    section: Annotated[str | None, typer.Option(help="Only this section (phase).")] = None,
    sentiment: Annotated[str | None, typer.Option(help="hopeful or sceptical.")] = None,
    search: Annotated[str | None, typer.Option(help="Words the quote contains.")] = None,
) -> None:
    """The quote bank, searched and filtered."""
    from totalplace.history import service as history
    from totalplace.history.rules import filtered

    with _friendly_errors(), _store() as store:
        bank = history.quotes(history.load(store, project))
    chosen = filtered(bank, theme, role, place, section, sentiment, search)
    if as_json:
        _print_json([_quote_json(q) for q in chosen])
        return
    for q in chosen:
        flag = " [red](check before publishing)[/]" if q.flags and not q.approved else ""
        out.print(f"{q.id} [{q.role or 'no role'}] {q.text}{flag}")


@history_app.command("code")
def history_code_command(
    project: Annotated[str, typer.Argument(help="The learning history.")],
    quote_id: Annotated[str, typer.Argument(help="The quote, e.g. q12.")],
    theme: Annotated[str, typer.Argument(help='A theme; "/" for sub-themes: "Money/Pooling".')],
) -> None:
    """Code a quote with a theme (a quote can have several)."""
    from totalplace.history import service as history

    with _friendly_errors(), _store() as store:
        quote = history.update_quote(store, project, quote_id, _actor(), theme=theme)
    out.print(f"{quote.id}: {', '.join(quote.themes)}")


@history_app.command("suggest")
def history_suggest_command(
    project: Annotated[str, typer.Argument(help="The learning history.")],
    quote_id: Annotated[str, typer.Argument(help="An uncoded quote.")],
) -> None:
    """Themes for a quote, from the coded quotes most like it (plain text similarity)."""
    from totalplace.history import service as history

    with _friendly_errors(), _store() as store:
        found = history.suggestions(store, project, quote_id)
    for theme, score in found:
        out.print(f"{theme} ({score:.2f})")
    if not found:
        out.print("No coded quote is like this one yet.")


@history_app.command("approve")
def history_approve_command(
    project: Annotated[str, typer.Argument(help="The learning history.")],
    quote_id: Annotated[str, typer.Argument(help="A flagged quote, checked by a person.")],
    text: Annotated[str | None, typer.Option(help="The quote as redacted.")] = None,
) -> None:
    """Approve a flagged quote for publication, redacted where need be."""
    from totalplace.history import service as history

    changes: dict[str, Any] = {"approved": True}
    if text is not None:
        changes["text"] = text
    with _friendly_errors(), _store() as store:
        history.update_quote(store, project, quote_id, _actor(), **changes)
    out.print(f"{quote_id} approved.")


@history_app.command("outline")
def history_outline_command(
    project: Annotated[str, typer.Argument(help="The learning history.")],
    path: Annotated[Path, typer.Argument(help="Sections, glossary and public figures (JSON).")],
) -> None:
    """Set the sections in time order, with their quotes and questions."""
    from totalplace.history import service as history

    with _friendly_errors(), _store() as store:
        history.set_outline(store, project, path, _actor())
    out.print("Outline saved.")


@history_app.command("build")
def history_build_command(
    project: Annotated[str, typer.Argument(help="The learning history.")],
    target: Annotated[Path, typer.Option("--out", help="A .html, .pdf or .docx file.")],
) -> None:
    """Write the learning history: narrative beside quotes, questions, glossary, balance."""
    from totalplace.history import service as history
    from totalplace.history.files.document import assemble, write

    with _friendly_errors(), _store() as store, _progress("Writing the learning history"):
        document = assemble(history.load(store, project))
        write(document, target)
    out.print(f"Wrote {target}.")
    if document.held_back:
        out.print(
            f"[yellow]Note:[/] {document.held_back} quote(s) that may identify someone "
            "were left out until approved (`totalplace history approve`)."
        )


@history_app.command("roles")
def history_roles_command(
    project: Annotated[str, typer.Argument(help="The learning history.")],
    add: Annotated[list[str] | None, typer.Option(help="A role to add (repeat).")] = None,
    remove: Annotated[list[str] | None, typer.Option(help="A role to remove (repeat).")] = None,
) -> None:
    """Show or edit the project's role taxonomy."""
    from totalplace.history import service as history

    with _friendly_errors(), _store() as store:
        roles = (
            history.edit_taxonomy(store, project, add or [], remove or [], _actor())
            if add or remove
            else history.load(store, project)["taxonomy"]
        )
    for role in roles:
        out.print(role)


def _actor() -> str:
    from totalplace.core.context import default_actor

    return default_actor(None)


@app.command("serve")
def serve_command(
    demo: Annotated[
        bool, typer.Option(help="Prepare the Trafford demo place and an account.")
    ] = False,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    insecure_cookies: Annotated[
        bool,
        typer.Option(
            help="Send the session cookie over plain HTTP too (only behind a trusted proxy "
            "or on a private network)."
        ),
    ] = False,
) -> None:
    """Serve the web workspace (migrating the database first)."""
    import uvicorn

    from totalplace.core.web.app import create_app

    settings = Settings.from_env()
    store = open_store(settings)
    if demo:
        with _progress("Preparing the demo place") as report:
            email, password = demo_service.prepare_workspace(store, report=report)
        out.print(
            f"\nDemo place ready. Sign in at http://{host}:{port}/login\n"
            f"  email:    [bold]{email}[/]\n  password: [bold]{password}[/]\n"
            "(a new password is made each time the demo is served)\n"
        )
    uvicorn.run(
        create_app(settings, store, secure_cookies=not insecure_cookies),
        host=host,
        port=port,
        log_level="warning",
    )


user_app = typer.Typer(help="Accounts for the web workspace.", no_args_is_help=True)
app.add_typer(user_app, name="user")


@user_app.command("add")
def user_add_command(
    email: Annotated[str, typer.Argument(help="The person's email address.")],
    place: Annotated[str, typer.Option(help="The place to give them a role in.")],
    role: Annotated[str, typer.Option(help="lead, analyst, contributor or viewer.")],
    name: Annotated[str, typer.Option(help="Their name.")] = "",
    agency: Annotated[str | None, typer.Option(help="A contributor's agency.")] = None,
) -> None:
    """Create an account (or give an existing one a role); the password is asked for, or
    read from TOTALPLACE_PASSWORD."""
    import os

    from sqlalchemy import select

    from totalplace.people import service as people
    from totalplace.people.tables import User

    password = os.environ.get("TOTALPLACE_PASSWORD") or typer.prompt(
        "Password", hide_input=True, confirmation_prompt=True, err=True
    )
    try:
        with _store() as store, store.transaction() as session:
            user = session.scalar(select(User).where(User.email == people.normalise_email(email)))
            if user is None:
                user = people.create_user(session, email, name, password)
            people.grant(session, user.id, place, role, agency)
            audit_store.audit(
                session,
                "command line",
                "grant",
                place,
                {"email": user.email, "role": role, "agency_id": agency},
            )
    except people.PeopleError as exc:
        err.print(f"Error: {exc}", markup=False)
        raise typer.Exit(code=1) from None
    out.print(f"{email} is {role} of {place}.")


def main() -> None:  # pragma: no cover - the console script
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
