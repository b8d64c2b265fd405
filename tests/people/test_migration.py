"""Migration 0007 keeps the invitations made before it, numbered, with 7 days to run."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from alembic import command
from sqlalchemy import text

from totalplace.core.store.db import Store, alembic_config, upgrade


def test_invitations_made_before_0007_are_kept(store: Store) -> None:
    url = store.engine.url.render_as_string(hide_password=False)
    config = alembic_config(url)
    with store.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0006")
    made = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    with store.engine.begin() as connection:
        connection.execute(
            text(
                "insert into places (place_id, name, gss_codes, extras, created_at) "
                "values ('p', 'P', 'E06000001', '{}', :at)"
            ),
            {"at": made},
        )
        connection.execute(
            text(
                "insert into invitations (token_hash, email, place_id, role, agency_id, "
                "invited_by, created_at, accepted_at) values "
                "('abc', 'a@b.test', 'p', 'viewer', null, 'lead', :at, null)"
            ),
            {"at": made},
        )
    upgrade(store.engine, url)
    with store.engine.connect() as connection:
        row = connection.execute(text("select id, token_hash, expires_at from invitations")).one()
    assert row.id == 1 and row.token_hash == "abc"
    expires = row.expires_at if isinstance(row.expires_at, datetime) else None
    if expires is None:  # SQLite hands back text
        expires = datetime.fromisoformat(str(row.expires_at))
    expires = expires if expires.tzinfo else expires.replace(tzinfo=UTC)
    assert expires - made == timedelta(days=7)
