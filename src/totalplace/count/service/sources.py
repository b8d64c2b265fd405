"""The published national sources the count reads (RS outturn, CRA, ONS populations), for
the capabilities that build places from them: the demo and the top-down count."""

from totalplace.count.files.public_sources import (
    CraRow,
    read_country_regional_analysis,
    read_mid_2020_populations,
    read_revenue_outturn,
    read_trafford_style_population,
)

__all__ = [
    "CraRow",
    "read_country_regional_analysis",
    "read_mid_2020_populations",
    "read_revenue_outturn",
    "read_trafford_style_population",
]
