"""People: accounts, roles in a place, invitations and sign-in."""

from totalplace.core.registry import Capability

CAPABILITY = Capability(
    name="people",
    title="People",
    order=5,
    router="totalplace.people.web:router",
    commands="totalplace.people.commands:app",
    place_data="totalplace.people.service:PLACE_DATA",
    identity="totalplace.people.service:IDENTITY",
)
