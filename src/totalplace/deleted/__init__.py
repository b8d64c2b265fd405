"""Recently deleted: what a place's people deleted, kept for 30 days in its exported form
so that it can be put back."""

from totalplace.core.registry import Capability

CAPABILITY = Capability(
    name="deleted",
    title="Recently deleted",
    order=900,
    router="totalplace.deleted.web:router",
    place_data="totalplace.deleted.service:PLACE_DATA",
)
