"""A place with a case, a journey and an approved quote, for barriers to link to."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.helpers import DATA, HANDMADE
from totalplace.cases.service import cases as case_service
from totalplace.core.store.db import Store
from totalplace.history import service as history
from totalplace.journeys import service as journeys
from totalplace.places.service.packages import import_package

CASE = "Intensive family support"


def fill(store: Store, place_id: str = "testshire") -> None:
    # The sample case names an "nhs" agency; Testshire's NHS body is its PCT.
    case = (DATA / "cases" / "family_support.json").read_text().replace('"nhs"', '"pct"').encode()
    case_service.add_case(store, place_id, case, "family_support.json", "lead@test")
    journey = (DATA / "journeys" / "prison_leaver.csv").read_bytes()
    journeys.add_from_file(store, place_id, journey, "prison_leaver.csv", "lead@test")
    name = f"{place_id}:voices"
    history.import_text(store, name, DATA / "history" / "report_extract.txt", "lead@test", place_id)
    history.update_quote(store, name, "q1", "lead@test", approved=True)


def journey_id(store: Store, place_id: str = "testshire") -> str:
    return journeys.records(store, place_id)[0].journey_id


def another_place(store: Store, tmp_path: Path, place_id: str = "otherton") -> None:
    """The handmade place again, under another name."""
    folder = tmp_path / place_id
    shutil.copytree(HANDMADE, folder)
    for path in folder.iterdir():
        path.write_text(
            path.read_text().replace("testshire", place_id).replace("Testshire", place_id.title())
        )
    import_package(folder, store=store)


def barriers_csv(rows: list[dict[str, str]]) -> bytes:
    import csv
    import io

    columns = [
        "title",
        "description",
        "kind",
        "owner",
        "rule",
        "raised_by_agency",
        "raised_by_person",
        "raised_on",
        "blocks",
    ]
    out = io.StringIO()
    writer = csv.DictWriter(out, columns)
    writer.writeheader()
    for row in rows:
        writer.writerow({c: row.get(c, "") for c in columns})
    return out.getvalue().encode()


def row(**changes: str) -> dict[str, str]:
    base = {
        "title": "A ring-fenced grant stops pooling",
        "description": "The grant must be spent and reported on its own.",
        "kind": "funding",
        "owner": "DLUHC",
        "rule": "Troubled Families grant conditions",
        "raised_by_agency": "Testshire Council",
        "raised_by_person": "Programme lead",
        "raised_on": "2010-01-02",
        "blocks": f"case:{CASE}; stream:TF-1|Troubled Families grant; quote:voices/q1",
    }
    return {**base, **changes}
