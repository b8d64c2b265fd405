"""Place data that is simply a capability's tables: one package file per table.

Most capabilities keep a place's data as rows keyed by `place_id`; this one class exports,
loads and deletes them for the registry (`core/registry.py`), so each capability only names
its tables. A capability with more to do (line files, data keyed otherwise) writes its own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import DeclarativeBase, Session

from totalplace.core.registry import PackageFile
from totalplace.core.store import rows
from totalplace.core.store.db import Store


@dataclass(frozen=True)
class Table:
    model: type[DeclarativeBase]
    name: str  # the resource's name in datapackage.json
    path: str  # its file in the package: .json, or .csv for flat tables
    schema: str  # where its format is documented, under docs/formats/
    # Checks a record before it is stored (raises ImportRejected), e.g. a case file.
    check: Callable[[dict[str, Any], str, int], None] | None = None
    # Integer-pence columns, which the file carries in pounds: `x_pence` as `x_gbp`.
    money: tuple[str, ...] = ()


@dataclass(frozen=True)
class TablesOfPlace:
    tables: tuple[Table, ...]
    paths: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "paths", tuple(t.path for t in self.tables))

    def export(self, store: Store, place_id: str) -> list[PackageFile]:
        out = []
        with store.sessions() as session:
            for table in self.tables:
                items = rows.records(session, table.model, place_id)
                if not items:
                    continue
                csv_file = table.path.endswith(".csv")
                content = (
                    rows.to_csv(table.model, items, table.money)
                    if csv_file
                    else rows.to_json(items)
                )
                descriptor = {
                    "format": "csv" if csv_file else "json",
                    "mediatype": "text/csv" if csv_file else "application/json",
                    "schema": table.schema,
                }
                out.append(PackageFile(table.name, table.path, content, descriptor))
        return out

    def load(self, session: Session, place_id: str, files: dict[str, bytes], actor: str) -> None:
        for table in self.tables:
            content = files.get(table.path)
            if content is None:
                continue
            if table.path.endswith(".csv"):
                items = rows.from_csv(content, table.path, table.money)
            else:
                items = rows.from_json(content, table.path)
            if table.check is not None:
                for number, item in enumerate(items, start=1):
                    table.check(item, table.path, number)
            rows.add_records(session, table.model, place_id, items, table.path)

    def delete(self, session: Session, place_id: str, replacing: bool) -> list[str]:
        for table in reversed(self.tables):
            rows.delete_rows(session, table.model, place_id)
        return []
