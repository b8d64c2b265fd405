"""Invest to save: business cases, appraised by the Green Book, with who pays and who saves."""

from totalplace.core.registry import Capability

CAPABILITY = Capability(
    name="cases",
    title="Invest to save",
    order=50,
    router="totalplace.cases.web:router",
    commands="totalplace.cases.commands:app",
    place_data="totalplace.cases.service.cases:PLACE_DATA",
    demo_content="totalplace.cases.demo:add_demo",
)
