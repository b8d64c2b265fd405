"""Accounts for the web workspace, from the command line."""

from __future__ import annotations

from typing import Annotated

import typer

from totalplace.core import console
from totalplace.core.console import out

app = typer.Typer()


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

    from totalplace.people import service as people

    password = os.environ.get("TOTALPLACE_PASSWORD") or typer.prompt(
        "Password", hide_input=True, confirmation_prompt=True, err=True
    )
    with console.friendly_errors(), console.store() as store:
        people.grant_account(store, email, name, password, place, role, agency, "command line")
    out.print(f"{email} is {role} of {place}.")
