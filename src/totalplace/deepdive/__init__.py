"""Deep dives: a theme's money across the place, the funding streams behind it (flows
from departments through agencies to providers, each counted once), and where agencies
duplicate each other (shared suppliers, the same kind of service bought twice)."""

from totalplace.core.registry import Capability

CAPABILITY = Capability(
    name="deepdive",
    title="Deep dives",
    order=85,
    router="totalplace.deepdive.web:router",
    commands="totalplace.deepdive.commands:app",
    place_data="totalplace.deepdive.service:PLACE_DATA",
    demo_content="totalplace.deepdive.demo:add_demo",
)
