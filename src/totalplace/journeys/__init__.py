"""Citizens' journeys through a place's services, and the unit costs that price them."""

from totalplace.core.registry import Capability

CAPABILITY = Capability(
    name="journeys",
    title="Journeys and unit costs",
    order=30,
    router="totalplace.journeys.web:router",
    commands="totalplace.journeys.commands:app",
    place_data="totalplace.journeys.service:PLACE_DATA",
    demo_content="totalplace.journeys.demo:add_demo",
)
