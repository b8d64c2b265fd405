"""A business case built in the page: the form's fields to a case file's spec and back.

The form is another way of writing the case file (docs/formats/case.md), so a case built
here downloads as a file that uploads to the same case. Each mistake is given to the
field it belongs to, for the GOV.UK error pattern: `costs-2-amount`, `optimism_bias`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import ValidationError

from totalplace.cases.files import CaseSpec
from totalplace.cases.rules.uncertainty import ADJUSTMENTS as ADJUSTMENTS
from totalplace.cases.rules.uncertainty import DISTRIBUTION_PARAMETERS
from totalplace.core.jsonfile import field_path
from totalplace.core.problems import Problem
from totalplace.core.years import FinancialYearError, parse_financial_year

KINDS = ("costs", "benefits")
FLOW_FIELDS = ("agency", "from", "to", "amount", "flag")
DISTRIBUTIONS = tuple(DISTRIBUTION_PARAMETERS)
BLANK_LINES = 2  # empty lines offered below the filled ones, for more costs or benefits
_SIMPLE = {"name", "description", "first_year", "discount_rate"}


@dataclass
class CaseForm:
    """What the form shows: its values by field name, how many lines of each kind, and
    each field's error message."""

    values: dict[str, str]
    lines: dict[str, int]
    errors: dict[str, str] = field(default_factory=dict)
    # Which form line each entry of the spec's costs, benefits and inputs came from.
    origin: dict[str, list[int]] = field(default_factory=dict)

    def line(self, kind: str, number: int, name: str) -> str:
        return self.values.get(f"{kind}-{number}-{name}", "")


def _plain(value: Decimal) -> str:
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _shown(value: float) -> str:
    """A number as typed: the shortest text that reads back as the same float."""
    return _plain(Decimal(repr(value)))


def _percent(value: float) -> str:
    # In decimal, so that 0.07 shows as 7, not 7.000000000000001.
    return _plain(Decimal(repr(value)) * 100)


def varying(agencies: Mapping[str, str]) -> list[str]:
    """What an uncertain input can be (as the case file's checks allow)."""
    by_agency = [f"{kind}:{a}" for kind in KINDS for a in agencies]
    return [*ADJUSTMENTS, *KINDS, *by_agency]


def _flag(kind: str) -> str:
    # A cost can be capital; a benefit can be cashable (money an agency can take out).
    return "capital" if kind == "costs" else "cashable"


def blank() -> CaseForm:
    return CaseForm(
        values={"draws": "10000", "seed": "0"},
        lines={**dict.fromkeys(KINDS, BLANK_LINES), "inputs": BLANK_LINES},
    )


def from_spec(spec: CaseSpec) -> CaseForm:
    """The form filled in with a stored case, to edit it."""
    values = {
        "name": spec.name,
        "description": spec.description,
        "first_year": spec.first_year,
        "discount_rate": "" if spec.discount_rate is None else _percent(spec.discount_rate),
    }
    for name in ADJUSTMENTS:
        value = getattr(spec.adjustments, name)
        values[name] = _percent(value) if value else ""
    start = parse_financial_year(spec.first_year)
    lines: dict[str, int] = {}
    for kind in KINDS:
        flows = getattr(spec, kind)
        for number, flow in enumerate(flows):
            if flow.from_year is not None:
                first, last = flow.from_year, flow.to_year
            elif isinstance(flow.year, int):
                first = last = flow.year
            else:
                first = last = parse_financial_year(str(flow.year)) - start
            values |= {
                f"{kind}-{number}-agency": flow.agency,
                f"{kind}-{number}-from": str(first),
                f"{kind}-{number}-to": str(last),
                f"{kind}-{number}-amount": _shown(flow.amount),
                f"{kind}-{number}-flag": "yes" if getattr(flow, _flag(kind)) else "",
            }
        lines[kind] = len(flows) + BLANK_LINES
    inputs = spec.uncertainty.inputs if spec.uncertainty else {}
    for number, (name, d) in enumerate(inputs.items()):
        given = d.model_extra or {}
        values |= {
            f"inputs-{number}-input": name,
            f"inputs-{number}-distribution": d.distribution,
            f"inputs-{number}-parameters": ", ".join(
                f"{p} {_shown(float(given[p]))}" for p in DISTRIBUTION_PARAMETERS[d.distribution]
            ),
        }
    lines["inputs"] = len(inputs) + BLANK_LINES
    values["draws"] = str(spec.uncertainty.draws if spec.uncertainty else 10_000)
    values["seed"] = str(spec.uncertainty.seed if spec.uncertainty else 0)
    return CaseForm(values, lines)


def submitted(form: Mapping[str, str]) -> CaseForm:
    """The form as posted, with one more empty line of a kind if the person asked."""
    values = {k: str(v).strip() for k, v in form.items() if k != "csrf"}
    lines = {}
    for kind in (*KINDS, "inputs"):
        numbers = [int(m.group(1)) for k in values if (m := re.match(rf"{kind}-(\d+)-", k))]
        lines[kind] = min(max(numbers, default=-1) + 1, 200)
    more = values.pop("more", "")
    if more in lines:
        lines[more] += 1
    return CaseForm(values, lines)


def _number(text: str) -> Decimal:
    cleaned = text.replace(",", "").replace("£", "").replace("%", "").strip()
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError("enter a number, like 25000 or 12.5") from None
    if not value.is_finite():
        raise ValueError("enter a number, like 25000 or 12.5")
    return value


def _whole(text: str) -> int:
    value = _number(text)
    if value != value.to_integral_value():
        raise ValueError("enter a whole number")
    return int(value)


def to_spec(state: CaseForm, keep: CaseSpec | None = None) -> CaseSpec | None:
    """The case the form describes, or None with each wrong field's message in
    `state.errors`. Parts of a stored case the form does not show (evidence, a deflator)
    are kept from `keep`."""
    v, errors = state.values, state.errors
    spec: dict[str, Any] = {
        "name": v.get("name", ""),
        "description": v.get("description", ""),
        "first_year": v.get("first_year", ""),
    }
    if keep is not None:
        kept = keep.model_dump(by_alias=True, exclude_none=True)
        for name in ("price_base_year", "prices", "deflator", "evidence"):
            if name in kept:
                spec[name] = kept[name]

    def share(name: str, where: str) -> float | None:
        if not v.get(name):
            return None
        try:
            return float(_number(v[name]) / 100)
        except ValueError as exc:
            errors[where] = f"{exc}, a percentage"
            return None

    rate = share("discount_rate", "discount_rate")
    if rate is not None:
        spec["discount_rate"] = rate
    spec["adjustments"] = {n: s for n in ADJUSTMENTS if (s := share(n, n)) is not None}
    try:
        start: int | None = parse_financial_year(spec["first_year"])
    except FinancialYearError as exc:
        start = None
        errors["first_year"] = (
            str(exc) if spec["first_year"] else "enter the first year, like 2026-27"
        )
    for kind in KINDS:
        spec[kind] = _flows(state, kind, start)
    inputs = _inputs(state)
    if inputs or v.get("draws", "") not in ("", "10000") or v.get("seed", "") not in ("", "0"):
        uncertainty: dict[str, Any] = {"inputs": inputs}
        for name, default in (("draws", 10_000), ("seed", 0)):
            try:
                uncertainty[name] = _whole(v[name]) if v.get(name) else default
            except ValueError as exc:
                errors[name] = str(exc)
        spec["uncertainty"] = uncertainty
    if not spec["name"]:
        errors["name"] = "enter the name of the case"
    try:
        built = CaseSpec.model_validate(spec)
    except ValidationError as exc:
        # Fields already named above keep the first, plainer message.
        for error in exc.errors():
            where = field_id(state, field_path(error["loc"]))
            errors.setdefault(where, error["msg"].removeprefix("Value error, "))
        return None
    return None if errors else built


def _flows(state: CaseForm, kind: str, start: int | None) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    state.origin[kind] = []
    for number in range(state.lines.get(kind, 0)):
        given = {name: state.line(kind, number, name) for name in FLOW_FIELDS}
        if not any(given[n] for n in ("agency", "from", "to", "amount")):
            continue  # an empty line: left for more
        flow: dict[str, Any] = {"agency": given["agency"]}
        years = []
        for name in ("from", "to"):
            where = f"{kind}-{number}-{name}"
            text = given[name] or (given["from"] if name == "to" else "")
            try:
                years.append(_year(text, start))
            except ValueError as exc:
                state.errors[where] = str(exc)
        try:
            flow["amount"] = float(_number(given["amount"]))
        except ValueError as exc:
            state.errors[f"{kind}-{number}-amount"] = str(exc)
        if len(years) == 2:
            if years[0] == years[1]:
                flow["year"] = years[0]
            else:
                flow["from"], flow["to"] = years
        flow[_flag(kind)] = given["flag"] == "yes"
        out.append(flow)
        state.origin[kind].append(number)
    return out


def _year(text: str, start: int | None) -> int:
    """Years from the first year: 0, 1, ... or a financial year such as 2026-27."""
    if not text:
        raise ValueError("enter the year: 0 for the first year, 1 for the next, or 2026-27")
    if "-" in text[1:]:
        try:
            year = parse_financial_year(text)
        except FinancialYearError as exc:
            raise ValueError(str(exc)) from None
        if start is None:
            raise ValueError("give the case's first year, or count years from 0")
        if year < start:
            raise ValueError(f"{text} is before the case's first year")
        return year - start
    value = _whole(text)
    if value < 0:
        raise ValueError("years count from 0, the first year")
    return value


def _inputs(state: CaseForm) -> dict[str, Any]:
    out: dict[str, Any] = {}
    state.origin["inputs"] = []
    for number in range(state.lines.get("inputs", 0)):
        name = state.line("inputs", number, "input")
        kind = state.line("inputs", number, "distribution")
        text = state.line("inputs", number, "parameters")
        if not (name or text):
            continue
        where = f"inputs-{number}"
        if not name:
            state.errors[f"{where}-input"] = "choose what varies"
            continue
        if name in out:
            state.errors[f"{where}-input"] = f"{name} is already given a distribution above"
            continue
        wanted = DISTRIBUTION_PARAMETERS.get(kind)
        if wanted is None:
            state.errors[f"{where}-distribution"] = "choose a distribution"
            continue
        try:
            given = _parameters(text, wanted)
        except ValueError as exc:
            state.errors[f"{where}-parameters"] = str(exc)
            continue
        out[name] = {"distribution": kind, **given}
        state.origin["inputs"].append(number)
    return out


def _parameters(text: str, wanted: tuple[str, ...]) -> dict[str, float]:
    """`low 0.1, mode 0.2, high 0.3` (or with `=`), or just the numbers in that order."""
    parts = [p for p in re.split(r"[,;]\s*|\s+(?=[a-z])", text.strip()) if p]
    named: dict[str, float] = {}
    for number, part in enumerate(parts):
        pieces = re.split(r"\s*[= ]\s*", part.strip(), maxsplit=1)
        name, value = (
            pieces if len(pieces) == 2 else (wanted[min(number, len(wanted) - 1)], pieces[0])
        )
        if name not in wanted:
            raise ValueError(f"this distribution takes {', '.join(wanted)}, not {name}")
        try:
            named[name] = float(_number(value))
        except ValueError:
            raise ValueError(f"{name} must be a number") from None
    missing = [p for p in wanted if p not in named]
    if missing:
        raise ValueError(f"give {', '.join(wanted)}; missing {', '.join(missing)}")
    return named


def field_id(state: CaseForm, path: str | None) -> str:
    """The form field a case file's field path belongs to (`costs[1].amount` to the
    field of the line it came from); `case-form` for parts the form does not show."""
    if not path:
        return "case-form"
    found = re.match(r"(costs|benefits)\[(\d+)\](?:\.(\w+))?", path)
    if found:
        kind, number, name = found.group(1), int(found.group(2)), found.group(3) or "amount"
        origin = state.origin.get(kind, [])
        line = origin[number] if number < len(origin) else number
        name = {"year": "from", "capital": "flag", "cashable": "flag"}.get(name, name)
        return f"{kind}-{line}-{name if name in FLOW_FIELDS else 'amount'}"
    found = re.match(r"uncertainty\.inputs\.([^.]+)", path)
    if found:
        names = [state.line("inputs", n, "input") for n in state.origin.get("inputs", [])]
        if found.group(1) in names:
            return f"inputs-{state.origin['inputs'][names.index(found.group(1))]}-parameters"
    top = path.split(".")[-1] if path.startswith(("adjustments.", "uncertainty.")) else path
    return top if top in _SIMPLE | set(ADJUSTMENTS) | {"draws", "seed"} else "case-form"


def with_problems(state: CaseForm, problems: list[Problem]) -> CaseForm:
    """The service's problems (agencies, quotes, the case's own checks), by field."""
    for problem in problems:
        where = field_id(state, problem.column)
        fix = f" {problem.fix}" if problem.fix else ""
        state.errors.setdefault(where, f"{problem.message}.{fix}")
    return state
