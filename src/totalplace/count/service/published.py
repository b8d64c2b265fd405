"""The drill-down of a published count: each function split by the agencies spending on
it, from exactly the return versions the publication records (decision 0506: a return
version's line file never changes), so it adds up to the publication's own totals and
stays the same when newer returns are accepted.

Viewers see function-by-agency totals only, never a return's lines: lines name
suppliers and payments that the place publishes as totals (docs/web.md).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import polars as pl

from totalplace.core.money import pounds_to_pence
from totalplace.core.store.db import Store
from totalplace.count import tables as count_tables
from totalplace.count.rules.count import AgencyInfo, CountInput, consolidated_lines
from totalplace.count.service.counting import lines_of
from totalplace.count.tables import Publication


@dataclass(frozen=True)
class AgencyFigure:
    agency_id: str
    name: str
    pence: int


@dataclass(frozen=True)
class PublishedFunction:
    """One function (a COFOG division, None for unclassified) of a publication."""

    division: str | None
    agencies: list[AgencyFigure]
    published_pence: int

    @property
    def total_pence(self) -> int:
        return sum(a.pence for a in self.agencies)

    @property
    def adds_up(self) -> bool:
        """Whether the agencies add up to the publication's figure for the function: not
        when the place's classification rules changed after publishing (the rules are
        not part of the snapshot), which the page then says."""
        return self.total_pence == self.published_pence


def _names(publication: Publication) -> dict[str, str]:
    figures: Any = publication.figures
    names = {str(c["agency_id"]): str(c["agency_id"]) for c in figures.get("coverage", [])}
    names.update(
        {str(a["agency_id"]): str(a.get("label") or a["agency_id"]) for a in figures["by_agency"]}
    )
    return names


def _table(store: Store, publication: Publication) -> dict[tuple[str | None, str], int]:
    """Pence by (division, agency) of the publication's recorded returns, apportioned by
    its recorded shares, transfers between its agencies eliminated: made once per
    publication and classification rules."""
    with store.sessions() as session:
        rules = count_tables.classification_frame(session, publication.place_id)
    names = _names(publication)
    files = [str(r["lines_file"]) for r in publication.returns]
    described = {
        "publication": [publication.place_id, publication.financial_year, publication.version],
        "returns": sorted(str(r["lines_sha256"]) for r in publication.returns),
        "rules": sorted(rules.rows()),
    }
    key = (
        "published-drill:"
        + hashlib.sha256(json.dumps(described, sort_keys=True, default=str).encode()).hexdigest()
    )

    def make() -> dict[tuple[str | None, str], int]:
        figures: Any = publication.figures
        data = CountInput(
            place_id=publication.place_id,
            place_name=str(figures.get("place_name") or publication.place_id),
            financial_year=publication.financial_year,
            agencies=[AgencyInfo(a, n, "") for a, n in names.items()],
            shares={k: Decimal(str(v)) for k, v in (figures.get("apportionment") or {}).items()},
            population=None,
            population_year=None,
            lines=lines_of(store, files),
            classification_rules=rules,
        )
        division = pl.col("cofog").str.slice(0, 2).alias("division")
        sums = (
            consolidated_lines(data)
            .group_by(division, "agency_id")
            .agg(pl.col("amount_pence").sum())
            .collect()
        )
        return {(d, str(a)): int(p) for d, a, p in sums.iter_rows()}

    table: dict[tuple[str | None, str], int] = store.memo.get_or_make(key, make)
    return table


def published_function(
    store: Store, publication: Publication, division: str | None
) -> PublishedFunction:
    """One function of a publication split by agency, biggest first, with the figure the
    publication itself gives the function."""
    names = _names(publication)
    figures: Any = publication.figures
    rows = [
        AgencyFigure(agency, names.get(agency, agency), pence)
        for (d, agency), pence in _table(store, publication).items()
        if d == division and pence
    ]
    rows.sort(key=lambda r: (-abs(r.pence), r.name))
    published = next(
        (
            pounds_to_pence(Decimal(str(r["gbp"])))
            for r in figures["by_cofog_division"]
            if r["code"] == division
        ),
        0,
    )
    return PublishedFunction(division, rows, published)
