"""The national view: the top-down count of every English district from national
statistics (RS, CRA, ONS populations), on a map and in a table."""

from totalplace.core.registry import Capability

CAPABILITY = Capability(
    name="national",
    title="England",
    order=95,
    router="totalplace.national.web:router",
    commands="totalplace.national.commands:app",
)
