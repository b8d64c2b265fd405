"""Amounts of money written as text, read by a strict grammar.

A ledger writes `£1,234.50`, `(1,234.50)`, `1234.50-`, `1234.50CR` or, from a European
system, `1.234,50` and `1 234,50`. Guessing each cell on its own misreads them (`1,000`
is a thousand or one, depending on the file), so a column is first classified as a
whole (`decimal_mark`) and every cell is then read under that one mark. Thousands
separators must group digits in threes; anything else is not an amount.

Written by hand rather than with babel's `parse_decimal(strict=True)`: that reads one
locale at a time, has no notion of "this column as a whole", and would still need the
sign forms (brackets, trailing minus, CR) and currency marks handled around it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

POINT = "."
COMMA = ","

# Spreadsheet error values, as Excel, LibreOffice and Google Sheets write them.
SPREADSHEET_ERRORS = {
    "#DIV/0!": "a division by zero",
    "#N/A": "a value not available to a lookup",
    "#VALUE!": "a formula given the wrong kind of value",
    "#REF!": "a reference to a cell that no longer exists",
    "#NAME?": "a formula naming something unknown",
    "#NUM!": "a number that cannot be worked out",
    "#NULL!": "two ranges that do not meet",
    "#SPILL!": "a formula whose results have no room",
    "#CALC!": "a calculation that failed",
    "#GETTING_DATA": "a value still being fetched",
    "ERR:502": "an invalid argument (LibreOffice)",
    "ERR:504": "a wrong parameter (LibreOffice)",
    "ERR:522": "a circular reference (LibreOffice)",
}

_SPACES = "[ \u00a0\u202f]"
# The digits of an amount with a decimal point, and with a decimal comma.
_POINT_BODY = re.compile(
    rf"^(?:\d+|\d{{1,3}}(?:,\d{{3}})+|\d{{1,3}}(?:{_SPACES}\d{{3}})+)(?:\.\d+)?$|^\.\d+$"
)
_COMMA_BODY = re.compile(
    rf"^(?:\d+|\d{{1,3}}(?:\.\d{{3}})+|\d{{1,3}}(?:{_SPACES}\d{{3}})+)(?:,\d+)?$|^,\d+$"
)
_CURRENCY = re.compile(r"^(?:£|GBP)\s*|\s*(?:£|GBP)$", re.IGNORECASE)


def spreadsheet_error(text: str) -> str | None:
    """What a spreadsheet error value means, or None when the text is not one."""
    return SPREADSHEET_ERRORS.get(text.strip().upper())


def _split_sign(text: str) -> tuple[bool, str]:
    """Whether the amount is negative, and its digits without sign or currency."""
    body = text.strip()
    negative = False
    if body.startswith("(") and body.endswith(")"):
        negative, body = True, body[1:-1].strip()
    body = _CURRENCY.sub("", body).strip()
    if body[:1] in "+-":
        negative, body = negative or body[0] == "-", body[1:].strip()
        body = _CURRENCY.sub("", body).strip()
    elif body.endswith("-"):
        negative, body = True, body[:-1].strip()
    elif body.upper().endswith("CR"):
        negative, body = True, body[:-2].strip()
    return negative, _CURRENCY.sub("", body).strip()


def marks_it_allows(text: str) -> set[str]:
    """The decimal marks under which the text is an amount: {".", ","}, one, or none."""
    _negative, body = _split_sign(text)
    allowed = set()
    if _POINT_BODY.match(body):
        allowed.add(POINT)
    if _COMMA_BODY.match(body):
        allowed.add(COMMA)
    return allowed


def parse_text_amount(text: str, mark: str = POINT) -> Decimal | None:
    """The amount the text writes under the given decimal mark, or None if it is none."""
    negative, body = _split_sign(text)
    grammar = _POINT_BODY if mark == POINT else _COMMA_BODY
    if not grammar.match(body):
        return None
    grouping = "," if mark == POINT else "."
    digits = re.sub(_SPACES, "", body).replace(grouping, "").replace(mark, ".")
    number = Decimal(digits)
    return -number if negative else number


@dataclass(frozen=True)
class ColumnMark:
    """How a column writes its decimals; `conflict` holds two cells that disagree."""

    mark: str
    conflict: tuple[tuple[int, str], tuple[int, str]] | None = None


def decimal_mark(cells: Iterable[tuple[int, str]]) -> ColumnMark:
    """The decimal mark of a column of text amounts, from every (row, text) in it.

    A cell such as `1,000` or `1234` fits either mark and says nothing; `1,234.50` or
    `12.5` needs a point and `1.234,50` or `100,50` needs a comma. A column with cells
    of both kinds is refused rather than half misread.
    """
    needs_point: tuple[int, str] | None = None
    needs_comma: tuple[int, str] | None = None
    for row, text in cells:
        allowed = marks_it_allows(text)
        if allowed == {POINT} and needs_point is None:
            needs_point = (row, text)
        elif allowed == {COMMA} and needs_comma is None:
            needs_comma = (row, text)
        if needs_point and needs_comma:
            return ColumnMark(POINT, (needs_point, needs_comma))
    return ColumnMark(COMMA if needs_comma else POINT)


def format_text_amount(value: Decimal, mark: str = POINT, grouping: str = "") -> str:
    """An amount as a ledger might write it (used to test that reading inverts writing)."""
    sign = "-" if value < 0 else ""
    whole, _, fraction = f"{abs(value):f}".partition(".")
    if grouping:
        groups: list[str] = []
        while len(whole) > 3:
            groups.insert(0, whole[-3:])
            whole = whole[:-3]
        whole = grouping.join([whole, *groups])
    return f"{sign}{whole}{mark + fraction if fraction else ''}"
