"""The migrations build exactly the schema the models describe, on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from totalplace.core.config import Settings
from totalplace.core.store.base import Base
from totalplace.core.store.db import Store, current_revision, head_revision, open_store


def test_migrations_match_the_models(store: Store) -> None:
    with store.engine.connect() as connection:
        drift = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert drift == []
    assert current_revision(store.engine) == head_revision(str(store.engine.url))


def test_sqlite_file_is_copied_aside_before_a_migration(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from alembic import command

    from totalplace.core.store.db import alembic_config

    home = tmp_path / "home"
    url = f"sqlite:///{home / 'old.db'}"
    first = open_store(Settings(home=home, database_url=url))
    config = alembic_config(url)
    with first.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0001")
    first.close()
    again = open_store(Settings(home=home, database_url=url))
    assert current_revision(again.engine) == head_revision(url)
    backups = list(home.glob("old.db.0001.*.bak"))
    assert len(backups) == 1
    again.close()
