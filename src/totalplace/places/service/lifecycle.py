"""The place's own rows in its life cycle; its place, agencies, populations and shares travel
as the package's core resources (places/files/package.py), read and written there."""

from __future__ import annotations

from sqlalchemy.orm import Session

from totalplace.core.registry import PackageFile
from totalplace.core.store import rows
from totalplace.core.store.db import Store
from totalplace.places.tables import Agency, Apportionment, Population


class PlaceRows:
    paths: tuple[str, ...] = ()

    def export(self, store: Store, place_id: str) -> list[PackageFile]:
        return []

    def load(self, session: Session, place_id: str, files: dict[str, bytes], actor: str) -> None:
        return None

    def delete(self, session: Session, place_id: str, replacing: bool) -> list[str]:
        # Agencies last: every agency's rows refer to it.
        for model in (Apportionment, Population, Agency):
            rows.delete_rows(session, model, place_id)
        return []


PLACE_DATA = PlaceRows()
