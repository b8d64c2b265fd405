"""Barriers to joint working: a register per place, each barrier tracked from raised to
resolved, linked to what it blocks, and rolled up nationally across places."""

from totalplace.core.registry import Capability

CAPABILITY = Capability(
    name="barriers",
    title="Barriers to joint working",
    order=85,
    router="totalplace.barriers.web:router",
    commands="totalplace.barriers.commands:app",
    place_data="totalplace.barriers.service:PLACE_DATA",
    demo_content="totalplace.barriers.demo:add_demo",
)
