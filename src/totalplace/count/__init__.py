"""The count: returns, classification, the count itself and its publications."""

from totalplace.core.registry import Capability

CAPABILITY = Capability(
    name="count",
    title="The count",
    order=10,
    router="totalplace.count.web:router",
    commands="totalplace.count.commands:app",
    place_data="totalplace.count.service.lifecycle:PLACE_DATA",
)
