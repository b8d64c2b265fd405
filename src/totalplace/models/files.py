"""Model files for `totalplace model run` (docs/formats/model.md; JSON Schema in
docs/formats/model.schema.json). Every mistake names the field it is in."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from totalplace.cases.rules.uncertainty import DISTRIBUTION_PARAMETERS, Distribution
from totalplace.core.jsonfile import read_json, validation_problems
from totalplace.core.problems import ImportRejected, Problem
from totalplace.models.rules.expressions import ExpressionError, names_in
from totalplace.models.rules.statemodel import COMPLEMENT, Model, Phase, Strategy

Value = float | str


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ParameterSpec(BaseModel):
    model_config = ConfigDict(extra="allow")
    value: float = Field(description="The value in the deterministic (base-case) run.")
    distribution: (
        Literal["fixed", "uniform", "triangular", "normal", "lognormal", "beta", "gamma"] | None
    ) = None

    @model_validator(mode="after")
    def has_its_parameters(self) -> ParameterSpec:
        if self.distribution is None:
            return self
        given = self.model_extra or {}
        missing = [
            p
            for p in DISTRIBUTION_PARAMETERS[self.distribution]
            if not isinstance(given.get(p), int | float)
        ]
        if missing:
            raise ValueError(
                f"a {self.distribution} distribution needs "
                f"{', '.join(DISTRIBUTION_PARAMETERS[self.distribution])}; "
                f"missing or not numbers: {', '.join(missing)}"
            )
        return self


class PhaseSpec(_Strict):
    until: int | None = Field(default=None, ge=1, description="Last cycle of the phase.")
    matrix: list[list[Value]]
    costs: dict[str, dict[str, Value]] = Field(
        default_factory=dict, description="Extra costs per state and agency in this phase."
    )


class StrategySpec(_Strict):
    name: str = Field(min_length=1)
    phases: list[PhaseSpec] = Field(min_length=1)


class ModelSpec(_Strict):
    name: str = Field(min_length=1)
    description: str = ""
    states: list[str] = Field(min_length=2)
    start: dict[str, float]
    cycles: int = Field(ge=1, le=10_000)
    cycle_years: float = Field(default=1.0, gt=0)
    discount_costs: float = Field(default=0.035, ge=0, le=1)
    discount_outcomes: float = Field(default=0.035, ge=0, le=1)
    discount_from: Literal[0, 1] = 1
    count_at: Literal["start", "end"] = "end"
    half_cycle: bool = False
    parameters: dict[str, float | ParameterSpec] = Field(default_factory=dict)
    costs: dict[str, dict[str, Value]] = Field(default_factory=dict)
    outcomes: dict[str, dict[str, Value]] = Field(default_factory=dict)
    strategies: list[StrategySpec] = Field(min_length=1)
    draws: int = Field(default=0, ge=0, le=1_000_000)
    seed: int = 0


def schema() -> dict[str, Any]:
    return ModelSpec.model_json_schema()


def read_model(path: Path) -> tuple[ModelSpec, Model]:
    spec = validated_model(read_json(path, "bad-model"), path.name)
    return spec, model_from_spec(spec, path.name)


def validated_model(data: Any, file: str) -> ModelSpec:
    try:
        return ModelSpec.model_validate(data)
    except ValidationError as exc:
        raise validation_problems(exc, file, "bad-model") from exc


def model_from_spec(spec: ModelSpec, file: str = "model") -> Model:
    problems: list[Problem] = []

    def bad(where: str, message: str) -> None:
        problems.append(Problem("bad-model", message, file=file, column=where))

    states = spec.states
    known = {*spec.parameters, "cycle"}
    if len(set(states)) != len(states):
        bad("states", "each state may be listed once only")
    for state in spec.start:
        if state not in states:
            bad(f"start.{state}", f"{state!r} is not one of the states")
    if abs(sum(spec.start.values()) - 1.0) > 1e-9 and spec.start:
        bad("start", "the starting shares must add up to 1")

    def check_value(value: Value, where: str) -> None:
        if isinstance(value, str) and value != COMPLEMENT:
            try:
                unknown = names_in(value) - known
            except ExpressionError as exc:
                bad(where, str(exc))
                return
            if unknown:
                bad(
                    where,
                    f"{', '.join(sorted(unknown))} in {value!r} "
                    f"{'is' if len(unknown) == 1 else 'are'} not parameters",
                )

    def check_costs(costs: dict[str, dict[str, Value]], where: str) -> None:
        for state, by_agency in costs.items():
            if state not in states:
                bad(f"{where}.{state}", f"{state!r} is not one of the states")
            for agency, value in by_agency.items():
                check_value(value, f"{where}.{state}.{agency}")

    check_costs(spec.costs, "costs")
    for outcome, by_state in spec.outcomes.items():
        for state, value in by_state.items():
            if state not in states:
                bad(f"outcomes.{outcome}.{state}", f"{state!r} is not one of the states")
            check_value(value, f"outcomes.{outcome}.{state}")
    for s, strategy in enumerate(spec.strategies):
        for p, phase in enumerate(strategy.phases):
            where = f"strategies[{s}].phases[{p}]"
            if len(phase.matrix) != len(states) or any(len(r) != len(states) for r in phase.matrix):
                bad(
                    f"{where}.matrix",
                    f"the matrix must be {len(states)} rows of "
                    f"{len(states)} entries, one per state",
                )
                continue
            for i, row in enumerate(phase.matrix):
                for j, value in enumerate(row):
                    check_value(value, f"{where}.matrix[{i}][{j}]")
            check_costs(phase.costs, f"{where}.costs")
        if strategy.phases[-1].until is not None:
            bad(f"strategies[{s}].phases", 'the last phase must run to the end (no "until")')
    if problems:
        raise ImportRejected(problems)
    return Model(
        states=states,
        start=spec.start,
        cycles=spec.cycles,
        strategies=[
            Strategy(s.name, [Phase(p.matrix, p.until, p.costs) for p in s.phases])
            for s in spec.strategies
        ],
        costs=spec.costs,
        outcomes=spec.outcomes,
        cycle_years=spec.cycle_years,
        discount_costs=spec.discount_costs,
        discount_outcomes=spec.discount_outcomes,
        discount_from=spec.discount_from,
        count_at=spec.count_at,
        half_cycle=spec.half_cycle,
    )


def base_values(spec: ModelSpec) -> dict[str, Any]:
    return {
        name: float(p) if isinstance(p, int | float) else p.value
        for name, p in spec.parameters.items()
    }


def drawn_values(spec: ModelSpec, draws: int, seed: int) -> dict[str, Any]:
    """Each parameter with a distribution drawn `draws` times; the others fixed."""
    rng = np.random.default_rng(seed)
    values: dict[str, Any] = {}
    for name, p in spec.parameters.items():
        if isinstance(p, int | float) or p.distribution is None:
            values[name] = np.full(draws, float(p if isinstance(p, int | float) else p.value))
        else:
            extra = {k: float(v) for k, v in (p.model_extra or {}).items()}
            values[name] = Distribution(p.distribution, extra).draw(rng, draws)
    return values
