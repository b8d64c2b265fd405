"""What the count's pages and API read, each call one unit of work, and the writers of
what they download: the doors call these and never hold a session or a writer's module."""

from __future__ import annotations

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
