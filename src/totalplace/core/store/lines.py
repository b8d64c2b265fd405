"""The line store: each submission's spend lines as one immutable Parquet file.

Why Parquet beside the database (docs/decisions/0003-line-store.md): a place can have
millions of lines; columnar files make the count fast on SQLite and PostgreSQL alike,
and immutability gives every published figure a fixed source to trace back to.

Where the files live (docs/decisions/0507-line-files-in-postgresql.md): on disk beside
a SQLite database (`LineStore`); in a table of the database itself on PostgreSQL
(`DatabaseLineStore`), so server processes on several machines need no shared disk.
"""

from __future__ import annotations

import hashlib
import io
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl
from sqlalchemy import DateTime, Engine, Integer, LargeBinary, String, delete, insert, select
from sqlalchemy.orm import Mapped, mapped_column

from totalplace.core.store.base import Base, now


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


class LineFile(Base):
    """One line file's Parquet bytes, for a store kept wholly in PostgreSQL."""

    __tablename__ = "line_files"
    name: Mapped[str] = mapped_column(String(300), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    content: Mapped[bytes] = mapped_column(LargeBinary)


class DatabaseLineStore:
    """The same immutable Parquet files, kept as rows of `line_files`.

    A file is committed on its own, before the transaction that names it, just as a
    file on disk is written first; the start-up sweep removes rows no submission names.
    Files written to disk before the switch (`legacy`) are still read from there.
    """

    def __init__(self, engine: Engine, legacy: Path) -> None:
        self.engine = engine
        self.legacy = LineStore(legacy)
        # Where files were kept before; nothing new is written there.
        self.root = legacy

    def write(self, name: str, frame: pl.DataFrame) -> str:
        buffer = io.BytesIO()
        frame.write_parquet(buffer, compression="zstd", statistics=True)
        content = buffer.getvalue()
        digest = hashlib.sha256(content).hexdigest()
        with self.engine.begin() as connection:
            # The primary key refuses a second file of the same name: files are immutable.
            connection.execute(
                insert(LineFile).values(
                    name=name,
                    sha256=digest,
                    size_bytes=len(content),
                    created_at=now(),
                    content=content,
                )
            )
        return digest

    def _content(self, name: str) -> bytes | None:
        with self.engine.connect() as connection:
            found: bytes | None = connection.scalar(
                select(LineFile.content).where(LineFile.name == name)
            )
            return found

    def read(self, name: str) -> pl.DataFrame:
        content = self._content(name)
        if content is None:
            return self.legacy.read(name)
        return pl.read_parquet(io.BytesIO(content))

    def scan(self, name: str) -> pl.LazyFrame:
        # Read whole: a file in the database has no path to scan lazily. The count is
        # kept by its inputs (decision 0506), so this happens once per return version.
        return self.read(name).lazy()

    def remove(self, name: str) -> None:
        """Only for undoing a write whose database transaction failed."""
        with self.engine.begin() as connection:
            connection.execute(delete(LineFile).where(LineFile.name == name))
        self.legacy.remove(name)

    def sweep(self, referenced: Callable[[], Iterable[str]], grace_seconds: float) -> Swept:
        cutoff = datetime.now(UTC) - timedelta(seconds=grace_seconds)
        with self.engine.connect() as connection:
            candidates = connection.execute(
                select(LineFile.name, LineFile.size_bytes).where(LineFile.created_at < cutoff)
            ).all()
        keep = set(referenced())
        gone = [(name, size) for name, size in candidates if name not in keep]
        if gone:
            with self.engine.begin() as connection:
                connection.execute(delete(LineFile).where(LineFile.name.in_([n for n, _ in gone])))
        on_disk = self.legacy.sweep(lambda: keep, grace_seconds)
        return Swept(
            sorted([n for n, _ in gone] + on_disk.names),
            sum(size for _, size in gone) + on_disk.size_bytes,
        )
