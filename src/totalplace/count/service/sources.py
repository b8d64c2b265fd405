"""The published sources the count reads for a place's population. The national sources
(RS outturn for every authority, CRA, ONS time series) are read by `totalplace.national`,
whose service the demo's top-down part uses."""

from totalplace.count.files.public_sources import read_trafford_style_population

__all__ = ["read_trafford_style_population"]
