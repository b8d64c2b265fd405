"""The learning history: participants' own words, coded, and told in order."""

from totalplace.core.registry import Capability

CAPABILITY = Capability(
    name="history",
    title="The learning history",
    order=70,
    router="totalplace.history.web:router",
    commands="totalplace.history.commands:app",
    place_data="totalplace.history.service:PLACE_DATA",
    demo_content="totalplace.history.demo:add_demo",
)
