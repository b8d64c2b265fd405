"""A place's cost-of-failure models, kept as model files and run on demand."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from sqlalchemy import select

from totalplace.core.jsonfile import parse_json
from totalplace.core.lifecycle import Table, TablesOfPlace
from totalplace.core.problems import ImportRejected, NotFound, Problem
from totalplace.core.reference import discount_schedule
from totalplace.core.store import audit as audit_store
from totalplace.core.store import base as store_base
from totalplace.core.store.db import Store
from totalplace.core.years import FinancialYearError, parse_financial_year
from totalplace.deleted import service as deleted_service
from totalplace.models.files import ModelSpec, model_from_spec, validated_model
from totalplace.models.rules.expressions import ExpressionError
from totalplace.models.rules.shift import Shift, shifted_costs
from totalplace.models.rules.statemodel import ModelError
from totalplace.models.service.modelling import run_model_file, yearly_costs
from totalplace.models.tables import ModelRecord


def checked(data: Any, file: str) -> ModelSpec:
    """A model spec that passes every check, and runs: a model that cannot run is refused
    now, not when opened. Every problem is named by its field."""
    spec = validated_model(data, file)
    model_from_spec(spec, file)
    try:
        run(spec.model_dump())
    except ModelError as exc:
        raise ImportRejected(
            [Problem("bad-model", exc.message, file=file, column=exc.where)]
        ) from exc
    except ExpressionError as exc:
        raise ImportRejected([Problem("bad-model", str(exc), file=file)]) from exc
    return spec


def add_model(store: Store, place_id: str, content: bytes, file: str, actor: str) -> int:
    spec = checked(parse_json(content, file, "bad-model"), file)
    return save_model(store, place_id, None, spec, actor)


def save_model(
    store: Store, place_id: str, record_id: int | None, spec: ModelSpec, actor: str
) -> int:
    """Keep a checked model: a new one (no `record_id`), or the model changed in place."""
    with store.transaction() as session:
        if record_id is not None:
            record = session.get(ModelRecord, record_id)
            if record is None or record.place_id != place_id:
                raise NotFound(f"there is no cost-of-failure model {record_id} in this place")
            record.name, record.spec = spec.name, spec.model_dump()
            audit_store.audit(session, actor, "edit-model", place_id, {"model": spec.name})
            return record.id
        record = ModelRecord(
            place_id=place_id,
            name=spec.name,
            spec=spec.model_dump(),
            added_by=actor,
            added_at=store_base.now(),
        )
        session.add(record)
        session.flush()
        audit_store.audit(session, actor, "add-model", place_id, {"model": spec.name})
        return record.id


def delete_model(store: Store, place_id: str, record_id: int, actor: str) -> None:
    """Set the model aside for 30 days (Recently deleted), where it can be restored."""
    with store.transaction() as session:
        record = session.get(ModelRecord, record_id)
        if record is None or record.place_id != place_id:
            raise NotFound(f"there is no cost-of-failure model {record_id} in this place")
        deleted_service.set_aside(session, place_id, "models", record, record.name, actor)


def spec_of(record: ModelRecord) -> ModelSpec:
    return validated_model(record.spec, record.name)


def model_file(record: ModelRecord) -> bytes:
    """The model as a model file: uploading it again makes the same model."""
    return (json.dumps(record.spec, indent=2, ensure_ascii=False) + "\n").encode()


def records(store: Store, place_id: str) -> list[ModelRecord]:
    with store.sessions() as session:
        return list(
            session.scalars(
                select(ModelRecord).where(ModelRecord.place_id == place_id).order_by(ModelRecord.id)
            )
        )


def run(spec: dict[str, Any], draws: int | None = None) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="totalplace-model-") as folder:
        path = Path(folder) / "model.json"
        path.write_text(json.dumps(spec))
        return run_model_file(path, draws)


def budget_impact(
    store: Store,
    place_id: str,
    fields: dict[str, str],
) -> tuple[ModelRecord, Shift, dict[str, str]]:
    """What moving `people` a year from strategy `now` to strategy `after` of a model, for
    `years` years from `first_year`, shifts onto each agency year by year; every wrong
    field is a problem on that field. Returns the model, the shift and the years' labels."""
    problems: list[Problem] = []

    def bad(column: str, message: str, code: str = "out-of-range") -> None:
        problems.append(Problem(code, message, column=column))

    chosen = {r.id: r for r in records(store, place_id)}
    try:
        record = chosen[int(fields.get("model", ""))]
    except (ValueError, KeyError):
        raise ImportRejected(
            [Problem("blank-value", "choose one of the place's models", column="model")]
        ) from None
    names = [s.name for s in spec_of(record).strategies]
    for column in ("now", "after"):
        if fields.get(column) not in names:
            bad(column, f"choose one of the model's strategies: {', '.join(names)}")
    if not problems and fields["now"] == fields["after"]:
        bad("after", "choose a different strategy from the service as it is")
    numbers: dict[str, float] = {}
    for column, limit in (("people", 10_000_000), ("years", 50)):
        text = fields.get(column, "").replace(",", "").strip()
        try:
            numbers[column] = float(text)
        except ValueError:
            bad(column, f"{text!r} is not a number", "not-a-number")
            continue
        if not 0 < numbers[column] <= limit or (column == "years" and not text.isdigit()):
            bad(
                column,
                f"enter a whole number from 1 to {limit:,}"
                if column == "years"
                else f"enter a number of people above 0, up to {limit:,}",
            )
    try:
        start = parse_financial_year(fields.get("first_year", ""))
    except FinancialYearError as exc:
        bad("first_year", str(exc))
        start = 0
    if problems:
        raise ImportRejected(problems)
    with tempfile.TemporaryDirectory(prefix="totalplace-model-") as folder:
        path = Path(folder) / "model.json"
        path.write_text(json.dumps(record.spec))
        agencies, yearly = yearly_costs(path)
    shift = shifted_costs(
        agencies,
        yearly[fields["now"]],
        yearly[fields["after"]],
        numbers["people"],
        int(numbers["years"]),
        None,
        discount_schedule(),
    )
    labels = {str(y): f"{start + y}-{(start + y + 1) % 100:02d}" for y in range(shift.years)}
    return record, shift, labels


def _check_stored_model(record: dict[str, Any], file: str, number: int) -> None:
    """A model in a place data package passes every check a new model file does."""
    where = f"{file} record {number}"
    model_from_spec(validated_model(record.get("spec"), where), where)


PLACE_DATA = TablesOfPlace(
    (Table(ModelRecord, "models", "models.json", "model.schema.json", check=_check_stored_model),)
)
