"""Barriers from the command line: list a place's register, add barriers from a file,
move a barrier on, the national roll-up and the letter."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from totalplace.core import console
from totalplace.core.console import out

app = typer.Typer()
barriers_app = typer.Typer(
    help="Barriers to joint working: the register, its workflow and the national roll-up.",
    no_args_is_help=True,
)
app.add_typer(barriers_app, name="barriers")


@barriers_app.command("list")
def barriers_list_command(
    place: Annotated[str, typer.Argument(help="The place, e.g. trafford.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """The place's barriers: tracking number, status, owner, and the value each blocks."""
    from dataclasses import asdict

    from totalplace.barriers import service as barriers
    from totalplace.core.money import format_gbp, pence_to_pounds

    with console.friendly_errors(), console.store() as store:
        shown = barriers.register(store, place)
    if as_json:
        console.print_json(
            [
                {
                    **asdict(s.barrier),
                    "status": s.barrier.status,
                    "blocked_present_value_gbp": str(pence_to_pounds(s.blocked_pence)),
                }
                for s in shown
            ]
        )
        return
    if not shown:
        out.print(f"No barriers in {place} yet.", markup=False)
    for s in shown:
        b = s.barrier
        value = f", blocks {format_gbp(s.blocked_pence)}" if s.blocked_pence else ""
        out.print(
            f"{b.tracking_number} ({b.status}) {b.title}, owner {b.owner}{value}", markup=False
        )


@barriers_app.command("add")
def barriers_add_command(
    place: Annotated[str, typer.Argument(help="The place, e.g. trafford.")],
    path: Annotated[
        Path, typer.Argument(help="Barriers as CSV or XLSX (docs/formats/barriers.md).")
    ],
) -> None:
    """Add every barrier of a file, each with a new tracking number; all or nothing."""
    from totalplace.barriers import service as barriers
    from totalplace.core.problems import ImportRejected, Problem

    with console.friendly_errors(path.name), console.store() as store:
        if not path.is_file():
            raise ImportRejected(
                [Problem("file-not-found", f"{path} does not exist", file=path.name)]
            )
        numbers = barriers.add_from_file(
            store, place, path.read_bytes(), path.name, console.actor()
        )
    out.print(f"Added {len(numbers)} barrier(s) to {place}: {', '.join(numbers)}.", markup=False)


@barriers_app.command("status")
def barriers_status_command(
    place: Annotated[str, typer.Argument(help="The place.")],
    number: Annotated[str, typer.Argument(help="The tracking number, e.g. TRAFFORD-B-001.")],
    status: Annotated[str, typer.Argument(help="escalated, answered, resolved or declined.")],
    reason: Annotated[str, typer.Option(help="Why: each step has its reason.")],
    on: Annotated[str | None, typer.Option(help="The date, 2026-04-30 (default today).")] = None,
) -> None:
    """Move a barrier to its next status, with its reason and date."""
    from datetime import date

    from totalplace.barriers import service as barriers

    with console.friendly_errors(), console.store() as store:
        moved = barriers.change_status(
            store, place, number, status, on or date.today().isoformat(), reason, console.actor()
        )
    out.print(f"{moved.tracking_number} is {moved.status}.", markup=False)


@barriers_app.command("national")
def barriers_national_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    target: Annotated[
        Path | None, typer.Option("--out", help="Write the roll-up to a .csv or .xlsx file.")
    ] = None,
) -> None:
    """The national roll-up: the same barrier from several places, by owner and kind."""
    from dataclasses import asdict

    from totalplace.barriers import service as barriers
    from totalplace.core.money import format_gbp, pence_to_pounds

    with console.friendly_errors(), console.store() as store:
        view = barriers.national(store)
    if target is not None:
        kind = "xlsx" if target.suffix.lower() == ".xlsx" else "csv"
        target.write_bytes(barriers.export_national(view, kind))
        out.print(f"Wrote {target}.", markup=False)
        return
    if as_json:
        console.print_json(
            {
                "places": view.places,
                "by_owner": view.by_owner,
                "by_kind": view.by_kind,
                "groups": [
                    {
                        **asdict(g),
                        "blocked_present_value_gbp": str(pence_to_pounds(g.blocked_pence)),
                    }
                    for g in view.groups
                ],
            }
        )
        return
    for g in view.groups:
        out.print(
            f"{g.title} ({g.owner}): {len(g.places)} place(s), "
            f"blocks {format_gbp(g.blocked_pence)}",
            markup=False,
        )


@barriers_app.command("letter")
def barriers_letter_command(
    place: Annotated[str, typer.Argument(help="The place.")],
    target: Annotated[Path, typer.Option("--out", help="A .docx or .pdf file.")],
) -> None:
    """A letter-ready document of the place's open barriers, to their owners."""
    from totalplace.barriers import service as barriers

    kind = "pdf" if target.suffix.lower() == ".pdf" else "docx"
    with console.friendly_errors(), console.store() as store:
        target.write_bytes(barriers.letter(store, place, kind))
    out.print(f"Wrote {target}.", markup=False)
