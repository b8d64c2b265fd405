"""Accounts for the web workspace, from the command line."""

from __future__ import annotations

from typing import Annotated

import typer

from totalplace.core import console
from totalplace.core.console import err, out

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

    from sqlalchemy import select

    from totalplace.core.store import audit as audit_store
    from totalplace.people import service as people
    from totalplace.people.tables import User

    password = os.environ.get("TOTALPLACE_PASSWORD") or typer.prompt(
        "Password", hide_input=True, confirmation_prompt=True, err=True
    )
    try:
        with console.store() as store, store.transaction() as session:
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
