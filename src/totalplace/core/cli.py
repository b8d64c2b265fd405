"""The `totalplace` command: each capability adds its own commands (see core/registry.py)."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer

from totalplace.core import console
from totalplace.core.config import Settings
from totalplace.core.console import out
from totalplace.core.registry import capability_commands, demo_workspace

app = typer.Typer(
    help="totalplace: count, understand and change all public spending in a place, together.",
    no_args_is_help=True,
    add_completion=False,
)


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
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            help="Server processes to run; on PostgreSQL they need no shared disk, and "
            "servers on other machines may use the same database.",
        ),
    ] = 1,
) -> None:
    """Serve the web workspace (migrating the database first)."""
    import os

    import uvicorn

    from totalplace.core.store.db import open_store
    from totalplace.core.web.app import create_app

    settings = Settings.from_env()
    store = open_store(settings)
    out.print(store.sweep_lines().summary(), markup=False, highlight=False)
    if demo:
        with console.progress("Preparing the demo place") as report:
            email, password = demo_workspace()(store, report=report)
        out.print(
            f"\nDemo place ready. Sign in at http://{host}:{port}/login\n"
            f"  email:    [bold]{email}[/]\n  password: [bold]{password}[/]\n"
            "(a new password is made each time the demo is served)\n"
        )
    # uvicorn would believe X-Forwarded-For from 127.0.0.1 by default, letting anyone
    # behind a local proxy choose their own address; the app decides instead, from
    # TOTALPLACE_TRUSTED_PROXIES (core/web/security.py).
    if workers == 1:
        uvicorn.run(
            create_app(settings, store, secure_cookies=not insecure_cookies),
            host=host,
            port=port,
            log_level="warning",
            proxy_headers=False,
        )
        return
    store.close()
    # Each worker process builds its own app from the environment (the store, the
    # migrations and the sweep were done above, once).
    if insecure_cookies:
        os.environ["TOTALPLACE_INSECURE_COOKIES"] = "1"
    out.print(f"Serving with {workers} processes at http://{host}:{port}/")
    uvicorn.run(
        "totalplace.core.web.app:app_from_env",
        factory=True,
        workers=workers,
        host=host,
        port=port,
        log_level="warning",
        proxy_headers=False,
        # A worker is replaced if it does not answer the supervisor's health check in
        # time; uvicorn's 5 s is shorter than a worker's start on a busy machine, which
        # then restarts workers in a loop and never serves.
        timeout_worker_healthcheck=120,
    )


# Every capability's commands join the shell's own, in the registry's order.
for _commands in capability_commands():
    app.registered_commands.extend(_commands.registered_commands)
    app.registered_groups.extend(_commands.registered_groups)


def main() -> None:  # pragma: no cover - the console script
    app_for(sys.argv[1:])()


def _no_options() -> None:
    """totalplace: count, understand and change all public spending in a place, together."""


def app_for(args: list[str]) -> typer.Typer:
    """The app holding only the command asked for. Typer builds every command it holds
    before running one (each one's parameters read from its signature): a tenth of a
    quick call such as `totalplace model run`. Help, options before the command and a
    name that is not a command get the whole app, and so its whole help and suggestions."""
    name = args[0] if args else ""
    commands = [c for c in app.registered_commands if c.name == name]
    groups = [g for g in app.registered_groups if g.name == name]
    if not name or name.startswith("-") or not (commands or groups):
        return app
    only = typer.Typer(help=app.info.help, no_args_is_help=True, add_completion=False)
    # A callback keeps a lone command a subcommand (`totalplace allocate FILE`), as in
    # the whole app, rather than the app itself.
    only.callback()(_no_options)
    only.registered_commands.extend(commands)
    only.registered_groups.extend(groups)
    return only


if __name__ == "__main__":  # pragma: no cover
    main()


def reference_markdown() -> str:
    """The command reference in docs/cli.md, generated from the app itself (by cog), so a
    command or option that is not documented cannot exist: tests/test_docs.py checks it."""
    root = typer.main.get_command(app)
    lines: list[str] = []

    # Typer carries its own copy of click, so commands and parameters are read by duck type.
    def describe(command: Any, path: str) -> None:
        if hasattr(command, "commands"):
            for name in sorted(command.commands):
                describe(command.commands[name], f"{path} {name}")
            return
        arguments = [p for p in command.params if p.param_type_name == "argument"]
        usage = " ".join([*(a.name.upper() for a in arguments), "[OPTIONS]"])
        lines.extend([f"#### `{path}`", "", f"`{path} {usage}`", ""])
        help_text = (command.help or "").strip().split("\n\n")[0].replace("\n", " ")
        lines.extend([help_text, ""])
        options = [p for p in command.params if p.param_type_name == "option" and not p.hidden]
        if arguments or options:
            lines.extend(["| argument or option | meaning | default |", "| --- | --- | --- |"])
        for argument in arguments:
            meaning = getattr(argument, "help", "") or ""
            required = "(required)" if argument.required else ""
            lines.append(f"| `{argument.name.upper()}` | {meaning} | {required} |")
        for option in options:
            names = ", ".join(f"`{o}`" for o in [*option.opts, *option.secondary_opts])
            default = "" if option.default is None or option.required else f"`{option.default}`"
            meaning = (option.help or "").replace("|", "\\|")
            lines.append(f"| {names} | {meaning} | {default} |")
        lines.append("")

    describe(root, "totalplace")
    return "\n".join(lines).rstrip() + "\n"
