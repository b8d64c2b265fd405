"""The reference data packaged with totalplace (see data/SOURCE.md)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path


@dataclass(frozen=True)
class Cofog:
    code: str
    level: str
    label: str


@dataclass(frozen=True)
class Sercop:
    code: str
    rs_line: str
    label: str
    cofog: str


@dataclass(frozen=True)
class Keyword:
    keyword: str
    cofog: str
    sercop: str


@dataclass(frozen=True)
class Reference:
    """The classification reference a place is checked against."""

    cofog: dict[str, Cofog]
    sercop: dict[str, Sercop]
    keywords: tuple[Keyword, ...]

    def sercop_code(self, text: str) -> str | None:
        """Accept a SeRCOP code or its label, as people type either."""
        wanted = text.strip().casefold()
        for item in self.sercop.values():
            if wanted in (item.code.casefold(), item.label.casefold(), item.rs_line):
                return item.code
        return None


def data_path(name: str) -> Path:
    return Path(str(resources.files("totalplace.core") / "data" / name))


def rows(name: str) -> list[dict[str, str]]:
    with data_path(name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@cache
def reference() -> Reference:
    cofog = {r["code"]: Cofog(r["code"], r["level"], r["label"]) for r in rows("cofog.csv")}
    sercop = {
        r["code"]: Sercop(r["code"], r["rs_line"], r["label"], r["cofog"])
        for r in rows("sercop.csv")
    }
    keywords = tuple(
        Keyword(r["keyword"], r["cofog"], r["sercop"]) for r in rows("classification_keywords.csv")
    )
    return Reference(cofog=cofog, sercop=sercop, keywords=keywords)


@cache
def discount_schedule() -> tuple[tuple[int, float], ...]:
    """The Green Book's declining discount rates: (last year the rate applies to, rate)."""
    found = rows("green_book_discount_rates.csv")
    return tuple((int(r["to_year"]) if r["to_year"] else 10**9, float(r["rate"])) for r in found)


@cache
def gdp_deflator() -> dict[str, float]:
    """Financial year -> GDP deflator index (1989-90 = 100)."""
    return {r["financial_year"]: float(r["index"]) for r in rows("gdp_deflator.csv")}
