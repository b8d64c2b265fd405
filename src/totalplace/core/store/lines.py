"""The line store: each submission's spend lines as one immutable Parquet file.

Why Parquet beside the database (docs/decisions/0003-line-store.md): a place can have
millions of lines; columnar files make the count fast on SQLite and PostgreSQL alike,
and immutability gives every published figure a fixed source to trace back to.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import polars as pl


class LineStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, name: str) -> Path:
        return self.root / name

    def write(self, name: str, frame: pl.DataFrame) -> str:
        """Write a new file and return its SHA-256; never overwrites."""
        target = self.path(name)
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():
            raise FileExistsError(f"line file {target} exists already; line files are immutable")
        temporary = target.with_suffix(".partial")
        frame.write_parquet(temporary, compression="zstd", statistics=True)
        digest = _sha256(temporary)
        os.replace(temporary, target)
        return digest

    def read(self, name: str) -> pl.DataFrame:
        return pl.read_parquet(self.path(name))

    def scan(self, name: str) -> pl.LazyFrame:
        return pl.scan_parquet(self.path(name))

    def remove(self, name: str) -> None:
        """Only for undoing a write whose database transaction failed."""
        self.path(name).unlink(missing_ok=True)

    def sweep(self, referenced: Callable[[], Iterable[str]], grace_seconds: float) -> Swept:
        """Remove line files no submission names: left by a process killed mid-write.

        Only files untouched for `grace_seconds` are candidates, so a write in flight
        in another process (its file written, its transaction not yet committed) is
        safe. `referenced` is asked after the candidates are listed, so a file
        committed meanwhile is seen as referenced.
        """
        if not self.root.exists():
            return Swept([], 0)
        cutoff = time.time() - grace_seconds
        candidates = [
            path
            for pattern in ("*.parquet", "*.partial")
            for path in self.root.rglob(pattern)
            if path.is_file() and path.stat().st_mtime < cutoff
        ]
        if not candidates:
            return Swept([], 0)
        keep = set(referenced())
        removed: list[str] = []
        size = 0
        for path in candidates:
            name = path.relative_to(self.root).as_posix()
            if name in keep:
                continue
            size += path.stat().st_size
            path.unlink(missing_ok=True)
            removed.append(name)
        return Swept(sorted(removed), size)


@dataclass(frozen=True)
class Swept:
    """What a sweep removed: names relative to the line store, and their bytes."""

    names: list[str]
    size_bytes: int

    def summary(self) -> str:
        if not self.names:
            return "No unreferenced line files to sweep."
        return (
            f"Swept {len(self.names)} unreferenced line file(s) "
            f"({self.size_bytes / 1_000_000:.1f} MB) left by interrupted writes: "
            + ", ".join(self.names)
        )


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
