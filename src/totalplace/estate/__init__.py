"""The public estate: every agency's buildings on one map, their data quality shown, and
where agencies could share."""

from totalplace.core.registry import Capability

CAPABILITY = Capability(
    name="estate",
    title="Public estate",
    order=80,
    router="totalplace.estate.web:router",
    commands="totalplace.estate.commands:app",
    place_data="totalplace.estate.service:PLACE_DATA",
)
