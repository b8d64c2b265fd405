"""A cost-of-failure model built in the page: states, starting shares, costs by agency and
state, strategies with their phases, each phase's transition table; then the model file
(docs/formats/model.md) it stands for, and back.

The form is laid out from its first fields (the states, agencies and strategies), so a
table has a row and a column for each state. A cell holds a number, a formula of the
model's parameters, or C (whatever makes the row add up to 1). Each mistake is given to
its field for the GOV.UK error pattern: `s0-p1-2-3` is strategy 1, phase 2, row 3,
column 4.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import ValidationError

from totalplace.core.jsonfile import field_path
from totalplace.core.problems import Problem
from totalplace.models.files import ModelSpec, ParameterSpec

MAX_ITEMS = 30  # states, agencies or strategies: a model to read, not a simulation


@dataclass
class ModelForm:
    values: dict[str, str]
    states: list[str]
    agencies: list[str]
    strategies: list[str]
    phases: list[int]  # how many phases each strategy has
    errors: dict[str, str] = field(default_factory=dict)
    # Set when the model holds what the form does not show (distributions, phase costs).
    kept: dict[str, Any] = field(default_factory=dict)


def _items(text: str) -> list[str]:
    return [t.strip() for t in re.split(r"[,\n]", text) if t.strip()][:MAX_ITEMS]


def _shown(value: object) -> str:
    if isinstance(value, float):
        text = format(Decimal(repr(value)), "f")
        return text.rstrip("0").rstrip(".") if "." in text else text
    return str(value)


def blank() -> ModelForm:
    values = {
        "states": "",
        "agencies": "",
        "strategies": "today, with the intervention",
        "cycles": "10",
        "discount_costs": "3.5",
        "discount_outcomes": "3.5",
    }
    return ModelForm(values, [], [], _items(values["strategies"]), [1, 1])


def submitted(form: Mapping[str, str]) -> ModelForm:
    values = {k: str(v).strip() for k, v in form.items() if k != "csrf"}
    strategies = _items(values.get("strategies", ""))
    phases = []
    for k in range(len(strategies)):
        try:
            count = int(values.get(f"s{k}-phases", "1"))
        except ValueError:
            count = 1
        phases.append(min(max(count, 1), 10))
    more = values.pop("more", "")
    found = re.fullmatch(r"phase-(\d+)", more)
    if found and int(found.group(1)) < len(phases):
        phases[int(found.group(1))] += 1
    return ModelForm(
        values,
        _items(values.get("states", "")),
        _items(values.get("agencies", "")),
        strategies,
        phases,
    )


def from_spec(spec: ModelSpec) -> ModelForm:
    """The form filled in from a stored model, to change it."""
    states = list(spec.states)
    agencies = sorted({a for by in spec.costs.values() for a in by})
    outcome = next(iter(spec.outcomes), "")
    values = {
        "name": spec.name,
        "description": spec.description,
        "states": ", ".join(states),
        "agencies": ", ".join(agencies),
        "strategies": ", ".join(s.name for s in spec.strategies),
        "cycles": str(spec.cycles),
        "discount_costs": _shown(float(Decimal(repr(spec.discount_costs)) * 100)),
        "discount_outcomes": _shown(float(Decimal(repr(spec.discount_outcomes)) * 100)),
        "outcome": outcome,
        "parameters": "\n".join(
            f"{name} = {_shown(p.value if isinstance(p, ParameterSpec) else p)}"
            for name, p in spec.parameters.items()
        ),
    }
    for i, name in enumerate(states):
        values[f"start-{i}"] = _shown(spec.start.get(name, ""))
        values[f"outcome-{i}"] = _shown(spec.outcomes.get(outcome, {}).get(name, ""))
        for a, agency in enumerate(agencies):
            values[f"cost-{i}-{a}"] = _shown(spec.costs.get(name, {}).get(agency, ""))
    for k, strategy in enumerate(spec.strategies):
        values[f"s{k}-phases"] = str(len(strategy.phases))
        for m, phase in enumerate(strategy.phases):
            values[f"s{k}-p{m}-until"] = "" if phase.until is None else str(phase.until)
            for i, row in enumerate(phase.matrix):
                for j, cell in enumerate(row):
                    values[f"s{k}-p{m}-{i}-{j}"] = _shown(cell)
    return ModelForm(
        values,
        states,
        agencies,
        [s.name for s in spec.strategies],
        [len(s.phases) for s in spec.strategies],
        kept=spec.model_dump(),
    )


def _value(text: str) -> float | str:
    """A number, or a formula (or C) for the model's own checks to judge."""
    try:
        return float(Decimal(text.replace(",", "")))
    except InvalidOperation:
        return text


def _percent(state: ModelForm, name: str) -> float:
    text = state.values.get(name, "")
    try:
        return float(Decimal(text.replace("%", "")) / 100) if text else 0.0
    except InvalidOperation:
        state.errors[name] = "enter a percentage, like 3.5"
        return 0.0


def to_spec(state: ModelForm) -> ModelSpec | None:
    """The model the form describes, or None with each wrong field's message in
    `state.errors`. What the form does not show of a stored model (parameters'
    distributions, costs of a phase) is kept from it."""
    v, errors = state.values, state.errors
    if not v.get("name"):
        errors["name"] = "enter the name of the model"
    if len(state.states) < 2:
        errors["states"] = "enter at least two states, separated by commas"
    if len(set(state.states)) != len(state.states):
        errors["states"] = "each state may be listed once only"
    if not state.strategies:
        errors["strategies"] = "enter at least one strategy, such as today"
    kept = state.kept
    spec: dict[str, Any] = {
        "name": v.get("name", ""),
        "description": v.get("description", ""),
        "states": state.states,
        "discount_costs": _percent(state, "discount_costs"),
        "discount_outcomes": _percent(state, "discount_outcomes"),
    }
    for name in ("cycle_years", "discount_from", "count_at", "half_cycle", "draws", "seed"):
        if name in kept:
            spec[name] = kept[name]
    try:
        spec["cycles"] = int(v.get("cycles", ""))
    except ValueError:
        errors["cycles"] = "enter a whole number of cycles (years), like 10"
    spec["parameters"] = _parameters(state, kept.get("parameters", {}))
    spec["start"] = {}
    for i, name in enumerate(state.states):
        text = v.get(f"start-{i}", "")
        if text:
            value = _value(text)
            if isinstance(value, str):
                errors[f"start-{i}"] = "enter a share, like 0.25"
            elif value:
                spec["start"][name] = value
    spec["costs"] = {}
    for i, name in enumerate(state.states):
        by_agency = {
            agency: _value(v[f"cost-{i}-{a}"])
            for a, agency in enumerate(state.agencies)
            if v.get(f"cost-{i}-{a}")
        }
        if by_agency:
            spec["costs"][name] = by_agency
    outcome = v.get("outcome", "")
    if outcome:
        per_state = {
            name: _value(v[f"outcome-{i}"])
            for i, name in enumerate(state.states)
            if v.get(f"outcome-{i}")
        }
        spec["outcomes"] = {outcome: per_state}
    spec["strategies"] = [_strategy(state, k, kept) for k in range(len(state.strategies))]
    try:
        built = ModelSpec.model_validate(spec)
    except ValidationError as exc:
        for error in exc.errors():
            where = field_id(state, field_path(error["loc"]))
            errors.setdefault(where, error["msg"].removeprefix("Value error, "))
        return None
    return None if errors else built


def _parameters(state: ModelForm, kept: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for number, line in enumerate(state.values.get("parameters", "").splitlines(), start=1):
        if not line.strip():
            continue
        name, equals, value = line.partition("=")
        name = name.strip()
        try:
            amount = float(Decimal(value.strip().replace(",", "")))
        except InvalidOperation:
            amount = None
        if not equals or not re.fullmatch(r"[A-Za-z_]\w*", name) or amount is None:
            state.errors["parameters"] = (
                f"line {number}: write each parameter as name = number, like rr = 0.5"
            )
            continue
        previous = kept.get(name)
        # A distribution given in the model file is kept; its base value is the one here.
        out[name] = {**previous, "value": amount} if isinstance(previous, dict) else amount
    return out


def _strategy(state: ModelForm, k: int, kept: Mapping[str, Any]) -> dict[str, Any]:
    phases = []
    stored = kept.get("strategies", [])
    for m in range(state.phases[k]):
        until = state.values.get(f"s{k}-p{m}-until", "")
        phase: dict[str, Any] = {
            "matrix": [
                [
                    _value(state.values.get(f"s{k}-p{m}-{i}-{j}", "") or "0")
                    for j in range(len(state.states))
                ]
                for i in range(len(state.states))
            ]
        }
        if until:
            try:
                phase["until"] = int(until)
            except ValueError:
                state.errors[f"s{k}-p{m}-until"] = "enter the last cycle of the phase, like 2"
        if k < len(stored) and m < len(stored[k]["phases"]) and stored[k]["phases"][m]["costs"]:
            phase["costs"] = stored[k]["phases"][m]["costs"]
        phases.append(phase)
    return {"name": state.strategies[k], "phases": phases}


def field_id(state: ModelForm, path: str | None) -> str:
    """The form field a model file's field path belongs to; `model-form` if none shows it."""
    if not path:
        return "model-form"
    found = re.match(r"strategies(?:\[(\d+)\]|\.([^.]+))\.phases(?:\[(\d+)\])?(.*)", path)
    if found:
        k = int(found.group(1)) if found.group(1) else _index(state.strategies, found.group(2))
        m = int(found.group(3) or 0)
        cell = re.match(r"\.matrix\[(\d+)\](?:\[(\d+)\])?", found.group(4))
        if cell:
            return f"s{k}-p{m}-{cell.group(1)}-{cell.group(2) or 0}"
        return f"s{k}-p{m}-until"
    found = re.match(r"start(?:\.(.+))?$", path)
    if found:
        return f"start-{_index(state.states, found.group(1))}"
    found = re.match(r"costs\.([^.]+)\.(.+)$", path)
    if found:
        i, a = _index(state.states, found.group(1)), _index(state.agencies, found.group(2))
        return f"cost-{i}-{a}"
    found = re.match(r"outcomes\.[^.]+\.(.+)$", path)
    if found:
        return f"outcome-{_index(state.states, found.group(1))}"
    top = path.split(".")[0].split("[")[0]
    known = {"name", "states", "strategies", "cycles", "discount_costs", "discount_outcomes"}
    known.add("parameters")
    return top if top in known else "model-form"


def _index(items: list[str], name: str | None) -> int:
    return items.index(name) if name in items else 0


def with_problems(state: ModelForm, problems: list[Problem]) -> ModelForm:
    for problem in problems:
        state.errors.setdefault(field_id(state, problem.column), problem.message)
    return state
