"""Shared fixtures. Every test that touches the store runs on SQLite and PostgreSQL.

PostgreSQL is taken from TOTALPLACE_TEST_POSTGRES_URL (default: the local server on
127.0.0.1:5432, database `test`). Where it is unreachable the PostgreSQL half is skipped,
unless TOTALPLACE_REQUIRE_POSTGRES=1 (as in CI), where that is a failure.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from totalplace.core.config import Settings
from totalplace.core.store.db import Store, open_store

# The signed-in workspace fixtures, shared by every capability's page tests.
pytest_plugins = ["tests.workspace"]

POSTGRES_URL = os.environ.get(
    "TOTALPLACE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REQUIRE_POSTGRES = os.environ.get("TOTALPLACE_REQUIRE_POSTGRES") == "1"
SHARED_DATA = Path(__file__).resolve().parents[1] / "tests" / "data"


def _postgres_reachable() -> str | None:
    try:
        engine = create_engine(POSTGRES_URL)
        with engine.connect() as connection:
            connection.execute(text("select 1"))
        engine.dispose()
        return None
    except Exception as exc:  # any failure to connect means "not here"
        return str(exc).splitlines()[0]


_PG_PROBLEM = _postgres_reachable()


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """A fresh, migrated store: a SQLite file, or a new schema in PostgreSQL."""
    home = tmp_path / "home"
    if request.param == "sqlite":
        settings = Settings(home=home, database_url=f"sqlite:///{home / 'test.db'}")
        opened = open_store(settings)
        yield opened
        opened.close()
        return
    if _PG_PROBLEM is not None:
        if REQUIRE_POSTGRES:
            pytest.fail(f"PostgreSQL is required but unreachable: {_PG_PROBLEM}")
        pytest.skip(f"PostgreSQL unreachable here: {_PG_PROBLEM}")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f'create schema "{schema}"'))
    separator = "&" if "?" in POSTGRES_URL else "?"
    url = f"{POSTGRES_URL}{separator}options=-csearch_path%3D{schema}"
    opened = open_store(Settings(home=home, database_url=url))
    try:
        yield opened
    finally:
        opened.close()
        with admin.begin() as connection:
            connection.execute(text(f'drop schema "{schema}" cascade'))
        admin.dispose()


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[Store]:
    """For tests of logic above the store, where one engine is enough."""
    home = tmp_path / "home"
    opened = open_store(Settings(home=home, database_url=f"sqlite:///{home / 'test.db'}"))
    yield opened
    opened.close()
