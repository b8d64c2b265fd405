"""The national files: the downloads never carry a formula; the boundaries decode."""

from __future__ import annotations

import io
from decimal import Decimal

from openpyxl import load_workbook

from totalplace.national.files import read_district_shapes, table_csv, table_xlsx
from totalplace.national.rules import draw_map


def test_formula_like_text_is_made_inert() -> None:
    rows = [["name", "gbp"], ['=HYPERLINK("http://x")', Decimal("-12.50")], ["+1", 3]]
    text = table_csv(rows)
    assert "'=HYPERLINK" in text and "'+1" in text
    assert ",-12.50" in text  # a number stays a number
    book = load_workbook(io.BytesIO(table_xlsx([("Districts", rows)])))
    cell = book["Districts"].cell(row=2, column=1)
    assert cell.data_type == "s" and cell.value == '=HYPERLINK("http://x")'
    assert cell.quotePrefix
    assert book["Districts"].cell(row=2, column=2).value == -12.5


def test_trafford_decodes_to_its_place_on_the_map() -> None:
    shapes = read_district_shapes({"E08000009", "E06000052", "E06000010"})
    assert set(shapes) == {"E08000009", "E06000052", "E06000010"}
    lon, lat = shapes["E08000009"][0][0]
    assert -2.5 < lon < -2.2 and 53.3 < lat < 53.5  # Trafford, near Manchester
    frame = draw_map(shapes)
    assert frame.width == 600 and frame.height > 0
    assert all(d.startswith("M") and d.endswith("Z") for d in frame.paths.values())
