"""The place's reports: interim and final, from published material only, every figure
traced to its source; issued versions are immutable and compared figure by figure."""

from totalplace.core.registry import Capability

CAPABILITY = Capability(
    name="reports",
    title="Reports",
    # After every other capability: its demo content reports on theirs.
    order=200,
    router="totalplace.reports.web:router",
    commands="totalplace.reports.commands:app",
    place_data="totalplace.reports.service:PLACE_DATA",
    demo_content="totalplace.reports.demo:add_demo",
)
