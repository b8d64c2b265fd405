"""Sharing the savings of pooled cases fairly, and the budget impact of a change."""

from totalplace.core.registry import Capability

CAPABILITY = Capability(
    name="sharing",
    title="Sharing the savings",
    order=60,
    router="totalplace.sharing.web:router",
    commands="totalplace.sharing.commands:app",
    demo_content="totalplace.sharing.demo:add_demo",
)
