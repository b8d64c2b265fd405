"""The line store: each submission's spend lines as one immutable Parquet file.

Why Parquet beside the database (docs/decisions/0003-line-store.md): a place can have
millions of lines; columnar files make the count fast on SQLite and PostgreSQL alike,
and immutability gives every published figure a fixed source to trace back to.
"""

from __future__ import annotations

import hashlib
import os
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


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
