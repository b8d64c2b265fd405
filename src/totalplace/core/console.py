"""What every command shares: the consoles, the store, progress, errors and JSON."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.status import Status

from totalplace.core.config import Settings
from totalplace.core.problems import ImportRejected, TotalplaceError

if TYPE_CHECKING:
    from totalplace.core.store.db import Store

out = Console()
err = Console(stderr=True)


@contextmanager
def store() -> Iterator[Store]:
    from totalplace.core.store.db import open_store

    store = open_store(Settings.from_env())
    try:
        yield store
    finally:
        store.close()


class Progress:
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
def progress(message: str) -> Iterator[Progress]:
    with err.status(message) as status:
        yield Progress(status)


@contextmanager
def friendly_errors(file: str | None = None) -> Iterator[None]:
    """Problems, not tracebacks: any TotalplaceError is printed (prefixed with the `file` the
    command read, when it names one) and the command exits 1."""
    try:
        yield
    except ImportRejected as exc:
        err.print(exc.summary(), markup=False, highlight=False)
        raise typer.Exit(code=1) from None
    except TotalplaceError as exc:
        # One message when there is one problem; the located list when there are more.
        text = str(exc) if len(exc.problems) == 1 else exc.summary()
        where = f"{file}, " if file else ""
        err.print(f"Error: {where}{text}", markup=False, highlight=False)
        raise typer.Exit(code=1) from None


def json_default(value: object) -> Any:
    if isinstance(value, Decimal):
        # Two-decimal pounds under £10 trillion print exactly as a float's shortest repr.
        return float(value)
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def print_json(data: object) -> None:
    sys.stdout.write(json.dumps(data, default=json_default, indent=2, ensure_ascii=False) + "\n")


def actor() -> str:
    from totalplace.core.context import default_actor

    return default_actor(None)
