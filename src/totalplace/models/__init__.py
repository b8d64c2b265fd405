"""Cost-of-failure models: state-transition models of what failure costs each agency."""

from totalplace.core.registry import Capability

CAPABILITY = Capability(
    name="models",
    title="Cost-of-failure models",
    order=40,
    router="totalplace.models.web:router",
    commands="totalplace.models.commands:app",
    place_data="totalplace.models.service.models:PLACE_DATA",
    demo_content="totalplace.models.demo:add_demo",
)
