"""The learning history from the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from totalplace.core import console
from totalplace.core.console import out

app = typer.Typer()


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

    with console.friendly_errors(), console.store() as store:
        added, unattributed = history.import_text(store, project, path, console.actor())
    if as_json:
        console.print_json({"added": added, "unattributed": [_quote_json(q) for q in unattributed]})
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
    with console.friendly_errors(), console.store() as store:
        added = history.import_interview(
            store, project, path, roles, place, consent, console.actor(), keep_names
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

    with console.friendly_errors(), console.store() as store:
        bank = history.quotes(history.load(store, project))
    chosen = history.filtered(bank, theme, role, place, section, sentiment, search)
    if as_json:
        console.print_json([_quote_json(q) for q in chosen])
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

    with console.friendly_errors(), console.store() as store:
        quote = history.update_quote(store, project, quote_id, console.actor(), theme=theme)
    out.print(f"{quote.id}: {', '.join(quote.themes)}")


@history_app.command("suggest")
def history_suggest_command(
    project: Annotated[str, typer.Argument(help="The learning history.")],
    quote_id: Annotated[str, typer.Argument(help="An uncoded quote.")],
) -> None:
    """Themes for a quote, from the coded quotes most like it (plain text similarity)."""
    from totalplace.history import service as history

    with console.friendly_errors(), console.store() as store:
        found = history.suggestions(store, project, quote_id)
    for theme, score in found:
        out.print(f"{theme} ({score:.2f})")
    if not found:
        out.print("No coded quote is like this one yet.")


@history_app.command("approve")
def history_approve_command(
    project: Annotated[str, typer.Argument(help="The learning history.")],
    quote_id: Annotated[str, typer.Argument(help="A quote, checked by a person.")],
    text: Annotated[str | None, typer.Option(help="The quote as redacted.")] = None,
) -> None:
    """Approve a quote for publication (the document holds approved quotes only),
    redacted where need be."""
    from totalplace.history import service as history

    changes: dict[str, Any] = {"approved": True}
    if text is not None:
        changes["text"] = text
    with console.friendly_errors(), console.store() as store:
        history.update_quote(store, project, quote_id, console.actor(), **changes)
    out.print(f"{quote_id} approved.")


@history_app.command("outline")
def history_outline_command(
    project: Annotated[str, typer.Argument(help="The learning history.")],
    path: Annotated[Path, typer.Argument(help="Sections, glossary and public figures (JSON).")],
) -> None:
    """Set the sections in time order, with their quotes and questions."""
    from totalplace.history import service as history

    with console.friendly_errors(), console.store() as store:
        history.set_outline(store, project, path, console.actor())
    out.print("Outline saved.")


@history_app.command("build")
def history_build_command(
    project: Annotated[str, typer.Argument(help="The learning history.")],
    target: Annotated[Path, typer.Option("--out", help="A .html, .pdf or .docx file.")],
) -> None:
    """Write the learning history: narrative beside quotes, questions, glossary, balance."""
    from totalplace.history import service as history

    with (
        console.friendly_errors(),
        console.store() as store,
        console.progress("Writing the learning history"),
    ):
        held_back = history.write_document(store, project, target)
    out.print(f"Wrote {target}.")
    if held_back:
        out.print(
            f"[yellow]Note:[/] {held_back} quote(s) not yet approved "
            "were left out (`totalplace history approve`)."
        )


@history_app.command("roles")
def history_roles_command(
    project: Annotated[str, typer.Argument(help="The learning history.")],
    add: Annotated[list[str] | None, typer.Option(help="A role to add (repeat).")] = None,
    remove: Annotated[list[str] | None, typer.Option(help="A role to remove (repeat).")] = None,
) -> None:
    """Show or edit the project's role taxonomy."""
    from totalplace.history import service as history

    with console.friendly_errors(), console.store() as store:
        roles = (
            history.edit_taxonomy(store, project, add or [], remove or [], console.actor())
            if add or remove
            else history.load(store, project)["taxonomy"]
        )
    for role in roles:
        out.print(role)
