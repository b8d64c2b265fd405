"""What the count's pages and API read, each call one unit of work, and the writers of
what they download: the doors call these and never hold a session or a writer's module."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select

from totalplace.core.store.db import Store
from totalplace.count.files.exports import count_csv as count_csv
from totalplace.count.files.exports import count_xlsx as count_xlsx
from totalplace.count.files.exports import lines_csv as lines_csv
from totalplace.count.files.exports import lines_xlsx as lines_xlsx
from totalplace.count.rules.classification import FIELD_LABELS as FIELD_LABELS
from totalplace.count.rules.count import CountResult as CountResult
from totalplace.count.tables import Submission


def returns_of(
    store: Store,
    place_id: str,
    financial_year: str | None = None,
    agency_id: str | None = None,
    newest_first: bool = False,
) -> list[Submission]:
    """The place's return versions; a year's or one agency's only when given."""
    with store.sessions() as session:
        query = select(Submission).where(Submission.place_id == place_id)
        if financial_year:
            query = query.where(Submission.financial_year == financial_year)
        if agency_id is not None:
            query = query.where(Submission.agency_id == agency_id)
        order = Submission.uploaded_at.desc() if newest_first else Submission.id
        return list(session.scalars(query.order_by(order)))


def pounds_as_numbers(data: Any) -> Any:
    """Every amount in pounds (a key `gbp` or ending `_gbp`) as a JSON number, as
    docs/formats/count-json.md promises, wherever the figures came from: a live count
    (Decimal) or a publication's stored snapshot (exact text). Two-decimal amounts under
    £10 trillion print exactly as a float's shortest form."""
    if isinstance(data, dict):
        return {
            key: _number(value) if _is_pounds(key) else pounds_as_numbers(value)
            for key, value in data.items()
        }
    if isinstance(data, list):
        return [pounds_as_numbers(item) for item in data]
    return data


def _is_pounds(key: object) -> bool:
    return isinstance(key, str) and (key == "gbp" or key.endswith("_gbp"))


def _number(value: Any) -> Any:
    if isinstance(value, str | Decimal):
        try:
            return float(Decimal(value))
        except ArithmeticError:
            return value
    return pounds_as_numbers(value)
