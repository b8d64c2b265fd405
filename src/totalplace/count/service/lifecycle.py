"""The count's part of a place's life cycle: its rules, mappings and publications travel
in the package; returns travel as the package's `returns` resource (places/files)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from totalplace.core.lifecycle import Table, TablesOfPlace
from totalplace.core.registry import PackageFile
from totalplace.core.store import rows
from totalplace.core.store.db import Store
from totalplace.count.tables import ClassificationRule, ColumnMapping, Publication, Submission


class CountData:
    def __init__(self) -> None:
        self.tables = TablesOfPlace(
            (
                Table(
                    ClassificationRule,
                    "classification_rules",
                    "classification_rules.csv",
                    "place-data-package.md#classification-rules",
                ),
                Table(
                    ColumnMapping,
                    "column_mappings",
                    "column_mappings.json",
                    "place-data-package.md#column-mappings",
                ),
            )
        )
        self.paths = self.tables.paths

    def export(self, store: Store, place_id: str) -> list[PackageFile]:
        return self.tables.export(store, place_id)

    def load(self, session: Session, place_id: str, files: dict[str, bytes], actor: str) -> None:
        self.tables.load(session, place_id, files, actor)

    def delete(self, session: Session, place_id: str, replacing: bool) -> list[str]:
        """Publications go too: their snapshots name returns that a new package replaces."""
        files = list(
            session.scalars(select(Submission.lines_file).where(Submission.place_id == place_id))
        )
        self.tables.delete(session, place_id, replacing)
        for model in (Publication, Submission):
            rows.delete_rows(session, model, place_id)
        return files


PLACE_DATA = CountData()
