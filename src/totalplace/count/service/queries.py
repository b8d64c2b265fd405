"""The count's read queries and its lines' schema, for other capabilities' services (the
place data package, a place's overview): they run inside the caller's transaction."""

from __future__ import annotations

from totalplace.core.store.db import Store
from totalplace.core.store.jobs import Job, job
from totalplace.count.files.lines import LINE_SCHEMA as LINE_SCHEMA
from totalplace.count.files.returns import SYNONYMS as SYNONYMS
from totalplace.count.files.returns import ReadPlan as ReadPlan
from totalplace.count.rules.classification import FIELD_LABELS as FIELD_LABELS
from totalplace.count.rules.classification import MATCHED_FIELDS as MATCHED_FIELDS
from totalplace.count.rules.classification import RULE_FIELDS as RULE_FIELDS
from totalplace.count.tables import Submission as Submission
from totalplace.count.tables import classification_frame as classification_frame
from totalplace.count.tables import column_mapping as column_mapping
from totalplace.count.tables import current_submissions as current_submissions
from totalplace.count.tables import submissions_for as submissions_for


def import_job(store: Store, job_id: str) -> Job | None:
    """An import running (or run) as a job: its progress, then its outcome."""
    return job(store, job_id)
