"""The store a library call uses when the caller does not hand one over."""

from __future__ import annotations

import getpass
from collections.abc import Callable

from totalplace.core.config import Settings
from totalplace.core.store.db import Store, open_store

Report = Callable[[str], None]


def quiet(_message: str) -> None:
    return None


def default_store(store: Store | None) -> Store:
    return store if store is not None else open_store(Settings.from_env())


def default_actor(actor: str | None) -> str:
    if actor:
        return actor
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"
