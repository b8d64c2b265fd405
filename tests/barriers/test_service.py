"""The barriers register in the store: files in, links resolved with the value they block,
the workflow, the national roll-up, exports and the place data package."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from docx import Document
from openpyxl import Workbook, load_workbook
from pypdf import PdfReader

from tests.barriers.helpers import CASE, another_place, barriers_csv, fill, journey_id, row
from tests.helpers import HANDMADE
from totalplace.barriers import service as barriers
from totalplace.cases.service import cases as case_service
from totalplace.core.money import format_gbp
from totalplace.core.problems import ImportRejected, NotFound
from totalplace.core.store.db import Store
from totalplace.places.service.packages import export_package, import_package

P = "testshire"


@pytest.fixture
def place(store: Store) -> Store:
    import_package(HANDMADE, store=store)
    fill(store)
    return store


def case_npv_pence(store: Store) -> int:
    case = case_service.cases(store, P)[0]
    return round(case_service.appraisal_of(case).npv * 100)


def test_a_file_adds_barriers_with_tracking_numbers_and_what_they_block(place: Store) -> None:
    content = barriers_csv(
        [
            row(),
            row(title="Counts visits", kind="performance", blocks=f"journey:{journey_id(place)}"),
        ]
    )
    numbers = barriers.add_from_file(place, P, content, "barriers.csv", "lead@test")
    assert numbers == ["TESTSHIRE-B-001", "TESTSHIRE-B-002"]
    shown = barriers.register(place, P)
    first = shown[0]
    assert first.barrier.status == "raised"
    assert first.blocked_pence == case_npv_pence(place) != 0
    kinds = {b.kind: b for b in first.blocks}
    assert kinds["case"].href and kinds["case"].href.startswith(f"/places/{P}/cases/")
    assert kinds["stream"].label == "Troubled Families grant" and kinds["stream"].href is None
    assert kinds["quote"].role and kinds["quote"].text
    assert shown[1].blocks[0].href and "/journeys/" in shown[1].blocks[0].href
    # Numbers go on from the last, and a second file does not reuse them.
    again = barriers.add_from_file(place, P, barriers_csv([row()]), "more.csv", "lead@test")
    assert again == ["TESTSHIRE-B-003"]


def test_an_xlsx_with_a_header_lower_down_is_read(place: Store, tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Barriers raised by Testshire"])
    sheet.append(["Title", "Kind", "Owner", "Raised by agency", "Raised on"])
    sheet.append(["Data may not be shared", "Data sharing", "ICO", "Police", "2010-03-04"])
    out = io.BytesIO()
    book.save(out)
    numbers = barriers.add_from_file(place, P, out.getvalue(), "barriers.xlsx", "lead@test")
    assert barriers.barrier(place, P, numbers[0]).kind == "data-sharing"


def test_a_bad_file_adds_nothing_and_names_each_problem(place: Store) -> None:
    content = barriers_csv(
        [
            row(),
            row(kind="weather"),
            row(blocks="case:No such case"),
            row(blocks="quote:voices/q2"),  # not approved
            row(raised_on="yesterday"),
        ]
    )
    with pytest.raises(ImportRejected) as caught:
        barriers.add_from_file(place, P, content, "barriers.csv", "lead@test")
    found = [(p.code, p.row, p.column) for p in caught.value.problems]
    assert ("bad-barrier", 3, "kind") in found
    assert ("bad-barrier", 4, "blocks") in found
    assert ("bad-barrier", 5, "blocks") in found
    assert ("bad-date", 6, "raised_on") in found
    assert "not approved" in " ".join(p.message for p in caught.value.problems)
    assert barriers.barriers(place, P) == []


def test_a_file_without_a_title_column_or_rows_is_refused(place: Store) -> None:
    with pytest.raises(ImportRejected) as caught:
        barriers.add_from_file(place, P, b"name,kind\nx,funding\n", "b.csv", "lead@test")
    assert caught.value.problems[0].code == "missing-column"
    with pytest.raises(ImportRejected) as caught:
        barriers.add_from_file(place, P, barriers_csv([]), "b.csv", "lead@test")
    assert caught.value.problems[0].code == "empty-return"


def test_the_workflow_keeps_each_step_with_its_reason_and_date(place: Store) -> None:
    [number] = barriers.add_from_file(place, P, barriers_csv([row()]), "b.csv", "lead@test")
    barriers.change_status(place, P, number, "escalated", "2010-02-01", "To DLUHC", "lead@test")
    moved = barriers.change_status(place, P, number, "answered", "2010-03-01", "Reply", "lead@t")
    assert [(s.status, s.on, s.reason) for s in moved.steps] == [
        ("raised", "2010-01-02", "Raised by the place"),
        ("escalated", "2010-02-01", "To DLUHC"),
        ("answered", "2010-03-01", "Reply"),
    ]
    with pytest.raises(ImportRejected) as caught:
        barriers.change_status(place, P, number, "raised", "2010-04-01", "back", "lead@test")
    assert caught.value.problems[0].code == "barrier-transition"
    with pytest.raises(NotFound):
        barriers.change_status(place, P, "TESTSHIRE-B-999", "escalated", "2010-04-01", "x", "l")


def test_editing_keeps_the_number_and_steps(place: Store) -> None:
    [number] = barriers.add_from_file(place, P, barriers_csv([row()]), "b.csv", "lead@test")
    barriers.edit_barrier(place, P, number, row(title="Renamed", blocks=""), "lead@test")
    edited = barriers.barrier(place, P, number)
    assert edited.title == "Renamed" and edited.blocks == [] and len(edited.steps) == 1
    with pytest.raises(ImportRejected):
        barriers.edit_barrier(place, P, number, row(kind=""), "lead@test")


def test_the_national_roll_up_groups_the_same_barrier_from_two_places(
    place: Store, tmp_path: Path
) -> None:
    another_place(place, tmp_path)
    barriers.add_from_file(place, P, barriers_csv([row()]), "b.csv", "lead@test")
    elsewhere = row(
        title="The grant cannot be pooled",
        rule="troubled families grant conditions.",
        owner="dluhc",
        raised_by_agency="Otherton Council",
        blocks="",
    )
    other = row(
        title="Data may not be shared", kind="data-sharing", owner="ICO", rule="", blocks=""
    )
    barriers.add_from_file(place, "otherton", barriers_csv([elsewhere, other]), "b.csv", "l")
    view = barriers.national(place)
    assert view.places == ["otherton", "testshire"]
    grouped = view.groups[0]
    assert sorted(grouped.places) == ["otherton", "testshire"]
    assert sorted(grouped.tracking_numbers) == ["OTHERTON-B-001", "TESTSHIRE-B-001"]
    assert grouped.blocked_pence == case_npv_pence(place)
    assert len(view.groups) == 2
    # The group is named as the first place to raise it wrote it.
    assert grouped.owner == "dluhc" and grouped.title == "The grant cannot be pooled"
    assert view.by_owner == {"dluhc": 2, "ICO": 1}
    # A person sees the places they belong to only.
    assert barriers.national(place, ["otherton"]).places == ["otherton"]
    table = list(csv.reader(io.StringIO(barriers.export_national(view, "csv").decode())))
    assert table[1][5] == "2" and table[1][0] == grouped.title


def test_exports_escape_formula_like_cells(place: Store) -> None:
    barriers.add_from_file(
        place, P, barriers_csv([row(title='=HYPERLINK("http://x")', blocks="")]), "b.csv", "l"
    )
    table = list(csv.reader(io.StringIO(barriers.export(place, P, "csv").decode())))
    assert table[0][0] == "tracking_number"
    assert table[1][1] == '\'=HYPERLINK("http://x")'
    book = load_workbook(io.BytesIO(barriers.export(place, P, "xlsx")))
    sheet = book.active
    assert sheet is not None
    assert sheet["B2"].value == '\'=HYPERLINK("http://x")'
    assert sheet["B2"].data_type == "s"


def test_the_letter_names_each_open_barrier_and_what_it_blocks(place: Store) -> None:
    barriers.add_from_file(place, P, barriers_csv([row()]), "b.csv", "lead@test")
    word = Document(io.BytesIO(barriers.letter(place, P, "docx")))
    text = "\n".join(p.text for p in word.paragraphs)
    assert "TESTSHIRE-B-001: A ring-fenced grant stops pooling" in text
    assert f"Business case {CASE}: present value {format_gbp(case_npv_pence(place))}" in text
    pdf = PdfReader(io.BytesIO(barriers.letter(place, P, "pdf")))
    assert "TESTSHIRE-B-001" in "".join(page.extract_text() for page in pdf.pages)


def test_barriers_travel_in_the_place_data_package(place: Store, tmp_path: Path) -> None:
    barriers.add_from_file(place, P, barriers_csv([row()]), "b.csv", "lead@test")
    barriers.change_status(place, P, "TESTSHIRE-B-001", "escalated", "2010-02-01", "x", "l")
    package = export_package(P, tmp_path / "package", store=place)
    assert (package / "barriers.json").is_file()
    before = barriers.barriers(place, P)
    import_package(package, store=place, replace=True)
    assert barriers.barriers(place, P) == before
    text = (package / "barriers.json").read_text().replace('"funding"', '"weather"')
    (package / "barriers.json").write_text(text)
    with pytest.raises(ImportRejected) as caught:
        import_package(package, store=place, replace=True)
    assert caught.value.problems[0].code == "bad-barrier"
