"""Reports from the command line: build (draft or issued), list, compare, consolidate."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from totalplace.core import console
from totalplace.core.console import out

app = typer.Typer()
report_app = typer.Typer(
    help="The place's interim and final reports, every figure traced to its source.",
    no_args_is_help=True,
)
app.add_typer(report_app, name="report")


@report_app.command("build")
def report_build_command(
    place: Annotated[str, typer.Argument(help="The place, e.g. trafford.")],
    year: Annotated[str, typer.Option("--year", help="The financial year, e.g. 2017-18.")],
    folder: Annotated[Path, typer.Option("--out", help="The folder to write into.")],
    draft: Annotated[
        bool, typer.Option("--draft", help="Write a draft: nothing is issued or kept.")
    ] = False,
    stage: Annotated[str, typer.Option(help="interim or final.")] = "interim",
    base_url: Annotated[
        str, typer.Option(help="The workspace's address, so the sources link to it.")
    ] = "",
) -> None:
    """Write report.html, report.pdf and report.docx; without --draft, issue a new version."""
    from totalplace.core.years import parse_financial_year
    from totalplace.reports import service as reports

    with (
        console.friendly_errors(),
        console.store() as store,
        console.progress("Writing the report"),
    ):
        parse_financial_year(year)
        report, written = reports.build(
            store, place, year, folder, draft, console.actor(), stage, base_url
        )
    what = "Draft" if report.version is None else f"Version {report.version} issued"
    out.print(f"{what}: {', '.join(str(p) for p in written)}.")


@report_app.command("list")
def report_list_command(
    place: Annotated[str, typer.Argument(help="The place.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """The place's issued report versions."""
    from dataclasses import asdict

    from totalplace.reports import service as reports

    with console.friendly_errors(), console.store() as store:
        found = reports.versions(store, place)
    if as_json:
        console.print_json([asdict(v) for v in found])
        return
    if not found:
        out.print(f"No report of {place} has been issued yet.", markup=False)
    for v in found:
        when = v.issued_at[:10]
        out.print(
            f"Version {v.version}: {v.stage} {v.financial_year}, {when} by {v.issued_by}",
            markup=False,
        )


@report_app.command("compare")
def report_compare_command(
    place: Annotated[str, typer.Argument(help="The place.")],
    before: Annotated[int, typer.Argument(help="The earlier version.")],
    after: Annotated[int, typer.Argument(help="The later version.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """What changed between two issued versions, figure by figure and section by section."""
    from dataclasses import asdict

    from totalplace.reports import service as reports

    with console.friendly_errors(), console.store() as store:
        found = reports.compare_versions(store, place, before, after)
    if as_json:
        console.print_json(asdict(found))
        return
    for s in found.sections:
        out.print(f"Section {s.title}: {s.change}", markup=False)
    for f in found.figures:
        out.print(
            f"{f.label}: {f.before or '(not there)'} -> {f.after or '(not there)'}", markup=False
        )
    out.print(f"{found.unchanged} figure(s) unchanged.", markup=False)


@report_app.command("consolidated")
def report_consolidated_command(
    places: Annotated[list[str], typer.Argument(help="The places, e.g. trafford wigan.")],
    year: Annotated[str, typer.Option("--year", help="The financial year.")],
    folder: Annotated[Path, typer.Option("--out", help="The folder to write into.")],
) -> None:
    """One report across places: what was counted where, with coverage stated."""
    from totalplace.reports import service as reports

    with console.friendly_errors(), console.store() as store:
        written = reports.write_consolidated(store, places, year, folder)
    out.print(f"Wrote {', '.join(str(p) for p in written)}.")
