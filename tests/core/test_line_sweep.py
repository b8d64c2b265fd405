"""Line files left by a process killed during or just after its Parquet write are swept
at start-up; referenced files and young files (a write in flight elsewhere) are kept."""

from __future__ import annotations

import logging
import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest
from sqlalchemy import select, update

from tests.helpers import HANDMADE
from totalplace.core.config import Settings
from totalplace.core.store.db import Store
from totalplace.core.store.lines import DatabaseLineStore, LineFile
from totalplace.core.web.app import create_app
from totalplace.count import tables as count_tables
from totalplace.places.service.packages import import_package

HOUR = 3600
ON_DISK = pytest.mark.parametrize("store", ["sqlite"], indirect=True)
IN_POSTGRES = pytest.mark.parametrize("store", ["postgresql"], indirect=True)


def leftover(store: Store, name: str, age_seconds: float, data: bytes = b"x" * 1000) -> Path:
    path = store.lines.path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    then = time.time() - age_seconds
    os.utime(path, (then, then))
    return path


def referenced(store: Store) -> list[Path]:
    with store.sessions() as session:
        names = [s.lines_file for s in count_tables.current_submissions(session, "testshire")]
    return [store.lines.path(n) for n in names]


@ON_DISK
def test_start_up_sweeps_old_unreferenced_line_files_and_says_so(
    store: Store, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    import_package(HANDMADE, store=store)
    kept = referenced(store)
    for path in kept:  # old, but named by a submission: never swept
        os.utime(path, (time.time() - 2 * HOUR,) * 2)
    partial = leftover(store, "testshire/council/2010-11/abc.partial", 2 * HOUR)
    orphan = store.lines.path("testshire/council/2010-11/def.parquet")
    orphan.parent.mkdir(parents=True, exist_ok=True)
    pl.DataFrame({"amount_pence": [1, 2, 3]}).write_parquet(orphan)
    os.utime(orphan, (time.time() - 2 * HOUR,) * 2)
    in_flight = leftover(store, "testshire/police/2010-11/ghi.parquet", 5)

    with caplog.at_level(logging.WARNING, logger="totalplace"):
        create_app(Settings(home=tmp_path / "web", database_url=""), store)

    assert not partial.exists() and not orphan.exists()
    assert in_flight.exists()
    assert all(p.exists() for p in kept)
    assert "Swept 2 unreferenced line file(s)" in caplog.text
    assert "testshire/council/2010-11/abc.partial" in caplog.text
    assert "testshire/council/2010-11/def.parquet" in caplog.text


def test_nothing_to_sweep_says_so(store: Store) -> None:
    import_package(HANDMADE, store=store)
    swept = store.sweep_lines(grace_seconds=0)
    assert swept.names == []
    assert swept.summary() == "No unreferenced line files to sweep."
    with store.sessions() as session:
        names = [s.lines_file for s in count_tables.current_submissions(session, "testshire")]
    assert all(store.lines.read(name).height > 0 for name in names)


@IN_POSTGRES
def test_on_postgresql_line_files_are_rows_and_old_unreferenced_ones_are_swept(
    store: Store, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    import_package(HANDMADE, store=store)
    assert isinstance(store.lines, DatabaseLineStore)
    assert not store.lines.root.exists()  # nothing on disk
    with store.sessions() as session:
        names = [s.lines_file for s in count_tables.current_submissions(session, "testshire")]
    assert store.lines.read(names[0]).height > 0
    orphan = store.lines.write("testshire/council/2010-11/def.parquet", pl.DataFrame({"a": [1]}))
    young = store.lines.write("testshire/police/2010-11/ghi.parquet", pl.DataFrame({"a": [2]}))
    assert orphan and young
    two_hours_ago = datetime.now(UTC) - timedelta(hours=2)
    with store.transaction() as session:
        session.execute(
            update(LineFile)
            .where(LineFile.name != "testshire/police/2010-11/ghi.parquet")
            .values(created_at=two_hours_ago)
        )
    with caplog.at_level(logging.WARNING, logger="totalplace"):
        create_app(Settings(home=tmp_path / "web", database_url=""), store)
    assert "Swept 1 unreferenced line file(s)" in caplog.text
    assert "testshire/council/2010-11/def.parquet" in caplog.text
    with store.sessions() as session:
        kept = set(session.scalars(select(LineFile.name)))
    assert kept == {*names, "testshire/police/2010-11/ghi.parquet"}
