"""The demo place: Trafford, built from real published data."""

from totalplace.core.registry import Capability

CAPABILITY = Capability(
    name="demo",
    title="The demo place",
    order=90,
    commands="totalplace.demo.commands:app",
    demo_workspace="totalplace.demo.service:prepare_workspace",
)
