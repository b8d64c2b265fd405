"""The registry: every capability says what it adds, and the shell iterates them.

A capability is a package `totalplace.<name>` whose `__init__.py` defines `CAPABILITY`.
The web app mounts each router, the CLI adds each command group, and the place's life
cycle (export, import, replace, delete) asks each capability for its data. Adding a
capability therefore never means editing a list elsewhere, and none can be forgotten.

References are "module:attribute" strings, loaded only when needed, so that listing the
capabilities imports none of their heavy dependencies.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import typer
    from fastapi import APIRouter
    from sqlalchemy.orm import Session

    from totalplace.core.store.db import Store


@dataclass(frozen=True)
class Capability:
    name: str
    title: str
    # Lower comes first in the app and the CLI; the place's data is loaded in this order
    # and deleted in the reverse order (so places, order 0, are deleted last).
    order: int = 100
    router: str | None = None
    commands: str | None = None
    place_data: str | None = None
    # The capability that knows who is signed in and their role in a place (the web
    # shell's security asks it, core/web/security.py).
    identity: str | None = None
    # The capability that prepares the demo workspace for `totalplace serve --demo`.
    demo_workspace: str | None = None
    # What the capability adds to the demo place once its count is imported:
    # "module:function", called as function(store, place_id, report) -> None. Content that
    # is illustrative says so where it is shown.
    demo_content: str | None = None


@dataclass(frozen=True)
class PackageFile:
    """One resource a capability adds to the place data package."""

    name: str  # the resource's name in datapackage.json
    path: str  # its file name in the package
    content: bytes
    # The descriptor's other fields: format, mediatype, schema (a path in docs/formats).
    descriptor: dict[str, Any]


class PlaceData(Protocol):
    """What a capability does with its part of a place across the place's life cycle."""

    # The package file names it reads; any of them may be absent from a package.
    paths: tuple[str, ...]

    def export(self, store: Store, place_id: str) -> list[PackageFile]:
        """Its resources for the place's data package (none when it holds nothing)."""
        ...

    def load(self, session: Session, place_id: str, files: dict[str, bytes], actor: str) -> None:
        """Check and add its resources, in the import's one transaction; raise
        ImportRejected, naming file, row and column, for anything wrong."""
        ...

    def delete(self, session: Session, place_id: str, replacing: bool) -> list[str]:
        """Remove everything it holds for the place (when `replacing`, what a new package
        replaces: people and their roles stay); return the line files to remove once the
        transaction has committed."""
        ...


def load_reference(reference: str) -> Any:
    module, _, attribute = reference.partition(":")
    return getattr(importlib.import_module(module), attribute)


@cache
def capabilities() -> tuple[Capability, ...]:
    import totalplace

    found: list[Capability] = []
    for info in pkgutil.iter_modules(totalplace.__path__):
        if not info.ispkg or info.name == "core":
            continue
        declared = getattr(importlib.import_module(f"totalplace.{info.name}"), "CAPABILITY", None)
        if isinstance(declared, Capability):
            found.append(declared)
    return tuple(sorted(found, key=lambda c: (c.order, c.name)))


def capability_routers() -> Iterator[APIRouter]:
    for capability in capabilities():
        if capability.router:
            yield load_reference(capability.router)


def capability_commands() -> Iterator[typer.Typer]:
    for capability in capabilities():
        if capability.commands:
            yield load_reference(capability.commands)


def place_data() -> list[PlaceData]:
    """Every capability's place data, in load order."""
    return [load_reference(c.place_data) for c in capabilities() if c.place_data]


def templates() -> list[str]:
    """Each capability's templates folder, for the web shell's loader."""
    import totalplace

    root = totalplace.__path__[0]
    return [f"{root}/{c.name}/templates" for c in capabilities()]


def demo_workspace() -> Any:
    """The function that prepares the demo place and its account: (store, report) ->
    (email, password)."""
    for capability in capabilities():
        if capability.demo_workspace:
            return load_reference(capability.demo_workspace)
    raise LookupError("no capability prepares a demo workspace")


def demo_contents() -> list[Any]:
    """Every capability's demo content function, in the registry's order."""
    return [load_reference(c.demo_content) for c in capabilities() if c.demo_content]


@cache
def identity() -> Any:
    """Who is signed in, and their role in a place: the capability that declares it."""
    for capability in capabilities():
        if capability.identity:
            return load_reference(capability.identity)
    raise LookupError("no capability knows who is signed in")
