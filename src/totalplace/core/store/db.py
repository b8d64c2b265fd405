"""Opening the store: engine, sessions, and migrations run before first use."""

from __future__ import annotations

import hashlib
import shutil
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any, ClassVar

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from totalplace.core.config import Settings
from totalplace.core.problems import TotalplaceError
from totalplace.core.store.lines import DatabaseLineStore, LineStore, Swept

# A line file is written a moment before its transaction commits; an hour is far
# longer than any import takes between the two, so only true leftovers are swept.
SWEEP_GRACE_SECONDS = 3600.0


class Memo:
    """Results of pure computations, kept by a key that names every input they used.

    A key that includes everything a result depends on (for the count: the exact
    return versions, whose line files never change, and the rules, shares and
    populations read that moment) needs no invalidation: changed inputs make a new key,
    and the old entry ages out. Least recently used entries go first.
    """

    def __init__(self, size: int = 64) -> None:
        self.size = size
        self._entries: OrderedDict[str, Any] = OrderedDict()
        self._making: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()

    def get_or_make(self, key: str, make: Callable[[], Any]) -> Any:
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                return self._entries[key]
            making = self._making.setdefault(key, threading.Lock())
        # One maker per key: 50 people asking for a new count at once wait for one
        # count rather than making 50 (bench/web.py timed out on that).
        with making:
            with self._lock:
                if key in self._entries:
                    return self._entries[key]
            value = make()
            with self._lock:
                self._entries[key] = value
                self._entries.move_to_end(key)
                while len(self._entries) > self.size:
                    self._entries.popitem(last=False)
                self._making.pop(key, None)
        return value

    def __len__(self) -> int:
        return len(self._entries)


@dataclass
class Store:
    engine: Engine
    sessions: sessionmaker[Session]
    lines: LineStore | DatabaseLineStore
    memo: Memo = field(default_factory=Memo)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: committed whole, or rolled back whole."""
        with self.sessions.begin() as session:
            yield session

    @contextmanager
    def locked(self, key: str, conflict: str) -> Iterator[Session]:
        """A unit of work that holds the lock named `key` from its first statement.

        For read-then-write steps such as "the next version number": two writers at
        once each read the same maximum otherwise, and one fails on the unique key.
        Should the database still refuse (a lock wait timed out, a key taken by a
        writer that took no lock), the caller gets `WriteConflict` with the plain
        `conflict` message rather than a driver error.
        """
        try:
            with self.sessions.begin() as session:
                take_lock(session, key)
                yield session
        except (IntegrityError, OperationalError) as exc:
            if isinstance(exc, OperationalError) and not _is_lock_failure(exc):
                raise
            raise WriteConflict(conflict) from exc

    def sweep_lines(self, grace_seconds: float = SWEEP_GRACE_SECONDS) -> Swept:
        """Remove line files that no submission names (decision 0502)."""
        return self.lines.sweep(self._referenced_lines, grace_seconds)

    def _referenced_lines(self) -> list[str]:
        # Plain SQL: the store keeps the line files and must not import a capability's
        # tables; every line file is named by exactly one submissions row.
        with self.engine.connect() as connection:
            return list(connection.execute(text("SELECT lines_file FROM submissions")).scalars())

    def close(self) -> None:
        self.engine.dispose()


class WriteConflict(TotalplaceError):
    """Another writer got there first; the message says what happened and what to do."""

    code: ClassVar[str] = "write-conflict"
    status: ClassVar[int] = 409


def take_lock(session: Session, key: str) -> None:
    """Hold a lock on `key` until the transaction ends; the first statement of it.

    PostgreSQL: a transaction-scoped advisory lock, so writers to other places or
    agencies do not wait for each other. SQLite has one writer at a time anyway:
    `BEGIN IMMEDIATE` takes that write lock now (waiting up to the busy timeout),
    before anything is read, so what is read next is the latest committed state.
    """
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": lock_number(key)})
    elif connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def lock_number(key: str) -> int:
    """A stable signed 64-bit number for a lock name (PostgreSQL's advisory lock key)."""
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big", signed=True)


def _is_lock_failure(exc: OperationalError) -> bool:
    return "locked" in str(exc.orig).lower() or "lock" in type(exc.orig).__name__.lower()


def open_store(settings: Settings, migrate: bool = True) -> Store:
    settings.home.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.database_url)
    if migrate:
        upgrade(engine, settings.database_url)
    return Store(
        engine=engine,
        sessions=sessionmaker(engine, expire_on_commit=False),
        lines=line_store(engine, settings),
    )


def line_store(engine: Engine, settings: Settings) -> LineStore | DatabaseLineStore:
    """On PostgreSQL the line files live in the database too (decision 0507)."""
    if engine.dialect.name == "postgresql":
        return DatabaseLineStore(engine, settings.lines_dir)
    return LineStore(settings.lines_dir)


def make_engine(url: str) -> Engine:
    # A connection PostgreSQL closed while it sat in the pool (a restart, an idle
    # timeout, pg_terminate_backend) is found and replaced before it is handed out.
    kwargs: dict[str, Any] = {"pool_pre_ping": True}
    if url.startswith("postgresql"):
        # Up to 30 connections a process: the web server runs sync routes in 40 threads,
        # and a sign-in holds its connection through the password hash. Past that a
        # request waits up to 30 s, then gets a plain 503 (core/web/app.py).
        kwargs |= {"pool_size": 10, "max_overflow": 20}
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"timeout": 30}
    engine = create_engine(url, **kwargs)
    if url.startswith("sqlite"):
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option(
        "script_location", str(resources.files("totalplace.core.store") / "migrations")
    )
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def head_revision(url: str) -> str | None:
    return ScriptDirectory.from_config(alembic_config(url)).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, url: str) -> None:
    """Bring the schema to head; a SQLite file is copied aside first, in case."""
    current = current_revision(engine)
    if current == head_revision(url):
        return
    if current is not None and url.startswith("sqlite:///"):
        _backup_sqlite(Path(url.removeprefix("sqlite:///")), current)
    config = alembic_config(url)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def _backup_sqlite(path: Path, revision: str) -> None:
    if path.exists():
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        shutil.copy2(path, path.with_name(f"{path.name}.{revision}.{stamp}.bak"))
