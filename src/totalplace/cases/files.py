"""Business case files (docs/formats/case.md, JSON Schema in docs/formats/case.schema.json).

A file holds one case, or `{"cases": [...]}` for several (to derive a game from them).
Every mistake is reported with the path of the field, such as `costs[2].amount`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from totalplace.cases.rules.appraisal import Adjustments, Case, Flow, deflate
from totalplace.cases.rules.uncertainty import ADJUSTMENTS, DISTRIBUTION_PARAMETERS, Distribution
from totalplace.core.jsonfile import read_json, validation_problems
from totalplace.core.problems import ImportRejected, Problem
from totalplace.core.reference import discount_schedule
from totalplace.core.years import FinancialYearError, parse_financial_year

Share = Field(default=0.0, ge=0.0, le=1.0)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FlowSpec(_Strict):
    agency: str = Field(min_length=1, description="The agency that pays (a cost) or saves.")
    year: int | str | None = Field(
        default=None,
        description="Years from the first year (0, 1, ...) or a financial year such as 2026-27.",
    )
    from_year: int | None = Field(
        default=None, alias="from", ge=0, description="First year of a yearly amount."
    )
    to_year: int | None = Field(
        default=None, alias="to", ge=0, description="Last year of a yearly amount."
    )
    amount: float = Field(description="Pounds; positive.", ge=0)
    capital: bool = False
    cashable: bool = True

    @model_validator(mode="after")
    def one_way_of_saying_when(self) -> FlowSpec:
        if (self.year is None) == (self.from_year is None):
            raise ValueError('give either "year", or "from" and "to"')
        if self.from_year is not None and (self.to_year is None or self.to_year < self.from_year):
            raise ValueError('"to" must be given and not before "from"')
        return self


class AdjustmentsSpec(_Strict):
    optimism_bias: float = Field(
        default=0.0, ge=0.0, le=5.0, description="Uplift on costs, e.g. 0.2 for 20%."
    )
    deadweight: float = Share
    attribution: float = Share
    displacement: float = Share
    drop_off: float = Share


class DistributionSpec(BaseModel):
    model_config = ConfigDict(extra="allow")
    distribution: Literal["fixed", "uniform", "triangular", "normal", "lognormal", "beta", "gamma"]

    @model_validator(mode="after")
    def has_its_parameters(self) -> DistributionSpec:
        wanted = DISTRIBUTION_PARAMETERS[self.distribution]
        given = self.model_extra or {}
        missing = [p for p in wanted if not isinstance(given.get(p), int | float)]
        if missing:
            raise ValueError(
                f"a {self.distribution} distribution needs {', '.join(wanted)}; "
                f"missing or not numbers: {', '.join(missing)}"
            )
        return self


class UncertaintySpec(_Strict):
    draws: int = Field(default=10_000, ge=100, le=10_000_000)
    seed: int = 0
    inputs: dict[str, DistributionSpec] = Field(default_factory=dict)


class QuoteRef(_Strict):
    history: str = Field(min_length=1, description="The learning history's name.")
    quote: str = Field(min_length=1, description="The quote's id, e.g. q12.")


class CaseSpec(_Strict):
    name: str = Field(min_length=1)
    description: str = ""
    first_year: str = Field(description="The financial year of year 0, e.g. 2025-26.")
    price_base_year: str | None = Field(default=None, description="Defaults to first_year.")
    prices: Literal["real", "nominal"] = "real"
    deflator: dict[str, float] | None = Field(
        default=None, description="Index by financial year, for nominal prices."
    )
    discount_rate: float | None = Field(
        default=None,
        ge=0.0,
        le=1.0,
        description="A fixed rate; default the Green Book's declining schedule.",
    )
    adjustments: AdjustmentsSpec = Field(default_factory=AdjustmentsSpec)
    costs: list[FlowSpec] = Field(default_factory=list)
    benefits: list[FlowSpec] = Field(default_factory=list)
    uncertainty: UncertaintySpec | None = None
    evidence: list[QuoteRef] = Field(
        default_factory=list, description="Quotes from a learning history that support the case."
    )


class CasesSpec(_Strict):
    cases: list[CaseSpec] = Field(min_length=1)


def schema() -> dict[str, Any]:
    return CaseSpec.model_json_schema(by_alias=True)


def read_cases(path: Path) -> list[tuple[Case, CaseSpec]]:
    data = read_json(path, "bad-case")
    try:
        specs = (
            CasesSpec.model_validate(data).cases
            if isinstance(data, dict) and "cases" in data
            else [CaseSpec.model_validate(data)]
        )
    except ValidationError as exc:
        raise validation_problems(exc, path.name, "bad-case") from exc
    return [(case_from_spec(spec, path.name), spec) for spec in specs]


def case_from_spec(spec: CaseSpec, file: str = "case") -> Case:
    problems: list[Problem] = []

    def bad(where: str, message: str) -> None:
        problems.append(Problem("bad-case", message, file=file, column=where))

    try:
        start = parse_financial_year(spec.first_year)
    except FinancialYearError as exc:
        bad("first_year", str(exc))
        raise ImportRejected(problems) from exc
    base = spec.price_base_year or spec.first_year
    if spec.prices == "nominal" and not spec.deflator:
        bad("deflator", "nominal prices need a deflator series to turn them into real prices")

    def flows(items: list[FlowSpec], kind: str) -> list[Flow]:
        out: list[Flow] = []
        for number, item in enumerate(items):
            where = f"{kind}[{number}]"
            years = _years(item, start, where, bad)
            for year in years:
                label = f"{start + year}-{(start + year + 1) % 100:02d}"
                amount = item.amount
                if spec.prices == "nominal" and spec.deflator:
                    missing = [y for y in (label, base) if y not in spec.deflator]
                    if missing:
                        bad("deflator", f"the deflator has no index for {', '.join(missing)}")
                        continue
                    amount = deflate(amount, label, base, spec.deflator)
                out.append(Flow(item.agency, year, amount, item.capital, item.cashable, number))
        return out

    costs = flows(spec.costs, "costs")
    benefits = flows(spec.benefits, "benefits")
    agencies = {f.agency for f in (*costs, *benefits)}
    allowed = (
        {*ADJUSTMENTS, "costs", "benefits"}
        | {f"{kind}:{a}" for kind in ("costs", "benefits") for a in agencies}
        | {f"costs[{i}]" for i in range(len(spec.costs))}
        | {f"benefits[{i}]" for i in range(len(spec.benefits))}
    )
    for name in spec.uncertainty.inputs if spec.uncertainty else {}:
        if name not in allowed:
            bad(
                f"uncertainty.inputs.{name}",
                f"{name!r} is not an input that can vary; use one of the adjustments, costs, "
                "benefits, costs:AGENCY / benefits:AGENCY for an agency of the case, or "
                "costs[N] / benefits[N] for one entry",
            )
    if problems:
        raise ImportRejected(problems)
    a = spec.adjustments
    return Case(
        spec.name,
        costs,
        benefits,
        Adjustments(a.optimism_bias, a.deadweight, a.attribution, a.displacement, a.drop_off),
        spec.discount_rate,
        discount_schedule(),
    )


def _years(item: FlowSpec, start: int, where: str, bad: Any) -> list[int]:
    if item.from_year is not None and item.to_year is not None:
        return list(range(item.from_year, item.to_year + 1))
    if isinstance(item.year, int):
        if item.year < 0:
            bad(f"{where}.year", "years count from 0, the first year")
            return []
        return [item.year]
    try:
        offset = parse_financial_year(str(item.year)) - start
    except FinancialYearError as exc:
        bad(f"{where}.year", str(exc))
        return []
    if offset < 0:
        bad(f"{where}.year", f"{item.year} is before the case's first year")
        return []
    return [offset]


def distributions(spec: CaseSpec) -> dict[str, Distribution]:
    if spec.uncertainty is None:
        return {}
    return {
        name: Distribution(d.distribution, {k: float(v) for k, v in (d.model_extra or {}).items()})
        for name, d in spec.uncertainty.inputs.items()
    }
