"""Places: their areas, agencies, populations and shares, and the place data package."""

from totalplace.core.registry import Capability

CAPABILITY = Capability(
    name="places",
    title="Places",
    order=0,
    router="totalplace.places.web:router",
    commands="totalplace.places.commands:app",
    place_data="totalplace.places.service.lifecycle:PLACE_DATA",
)
