"""The count's read queries and its lines' schema, for other capabilities' services (the
place data package, a place's overview): they run inside the caller's transaction."""

from totalplace.count.files.lines import LINE_SCHEMA as LINE_SCHEMA
from totalplace.count.tables import Submission as Submission
from totalplace.count.tables import current_submissions as current_submissions
from totalplace.count.tables import submissions_for as submissions_for
