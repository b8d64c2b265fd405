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
from totalplace.core.store import audit as audit_store
from totalplace.core.store import base as store_base
from totalplace.core.store.db import Store
from totalplace.deleted import service as deleted_service
from totalplace.models.files import ModelSpec, model_from_spec, validated_model
from totalplace.models.rules.expressions import ExpressionError
from totalplace.models.rules.statemodel import ModelError
from totalplace.models.service.modelling import run_model_file
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


def _check_stored_model(record: dict[str, Any], file: str, number: int) -> None:
    """A model in a place data package passes every check a new model file does."""
    where = f"{file} record {number}"
    model_from_spec(validated_model(record.get("spec"), where), where)


PLACE_DATA = TablesOfPlace(
    (Table(ModelRecord, "models", "models.json", "model.schema.json", check=_check_stored_model),)
)
