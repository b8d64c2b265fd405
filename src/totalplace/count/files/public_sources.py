"""Readers for the public statistics a place's figures come from: ONS mid-year population
estimates as Trafford Data Lab publishes them. (The RS, CRA and ONS time-series readers
live in `totalplace.national.files`, for every English district at once.)"""

from __future__ import annotations

import csv
from pathlib import Path


def read_trafford_style_population(path: Path, gss_code: str) -> tuple[int, int]:
    """Trafford Data Lab's tidy ONS estimates: (mid-year, persons) for one area."""
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["area_code"] == gss_code and row["sex"] == "Persons":
                return int(row["period"][:4]), int(row["all_ages"])
    raise LookupError(f"{gss_code} is not in {path.name}")
