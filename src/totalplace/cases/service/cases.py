"""A place's business cases, kept in the store, appraised and shared out on demand."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from sqlalchemy import select

from totalplace.cases.files import CaseSpec, case_from_spec, distributions
from totalplace.cases.rules.appraisal import Appraisal, appraise
from totalplace.cases.rules.uncertainty import simulate
from totalplace.cases.service.appraising import Appraised, game_from_cases
from totalplace.cases.tables import BusinessCase
from totalplace.core.jsonfile import parse_json, validation_problems
from totalplace.core.lifecycle import Table, TablesOfPlace
from totalplace.core.problems import ImportRejected, Problem
from totalplace.core.store import audit as audit_store
from totalplace.core.store import base as store_base
from totalplace.core.store.db import Store
from totalplace.sharing.rules.allocation import GameError
from totalplace.sharing.service import METHODS, Allocated, allocate


def add_case(store: Store, place_id: str, content: bytes, file: str, actor: str) -> int:
    """Check a case file and keep it; all or nothing, every problem named by its field."""
    try:
        spec = CaseSpec.model_validate(parse_json(content, file, "bad-case"))
    except ValidationError as exc:
        raise validation_problems(exc, file, "bad-case") from exc
    case_from_spec(spec, file)  # every check a case must pass, before it is kept
    cited(store, place_id, spec.model_dump(by_alias=True), file)
    with store.transaction() as session:
        row = BusinessCase(
            place_id=place_id,
            name=spec.name,
            spec=spec.model_dump(by_alias=True, exclude_none=True),
            added_by=actor,
            added_at=store_base.now(),
        )
        session.add(row)
        session.flush()
        audit_store.audit(session, actor, "add-case", place_id, {"case": spec.name, "id": row.id})
        return row.id


def cases(store: Store, place_id: str) -> list[BusinessCase]:
    with store.sessions() as session:
        return list(
            session.scalars(
                select(BusinessCase)
                .where(BusinessCase.place_id == place_id)
                .order_by(BusinessCase.id)
            )
        )


def appraisal_of(row: BusinessCase) -> Appraisal:
    """The point estimate only: for lists, where no one waits for the Monte Carlo."""
    return appraise(case_from_spec(CaseSpec.model_validate(row.spec), row.name))


def appraised(row: BusinessCase) -> Appraised:
    spec = CaseSpec.model_validate(row.spec)
    case = case_from_spec(spec, row.name)
    simulation = None
    if spec.uncertainty is not None:
        simulation = simulate(
            case, distributions(spec), spec.uncertainty.draws, spec.uncertainty.seed
        )
    return Appraised(case, appraise(case), simulation)


def shares(store: Store, place_id: str) -> dict[str, Any]:
    """Every rule, side by side, for the place's cases pooled together."""
    rows = cases(store, place_id)
    if not rows:
        return {"players": [], "rules": {}}
    built = [case_from_spec(CaseSpec.model_validate(r.spec), r.name) for r in rows]
    game, benefit = game_from_cases(built)
    weights = [benefit[p] for p in game.players]
    out: dict[str, Allocated] = {}
    errors: dict[str, str] = {}
    for method in METHODS:
        try:
            result = allocate(game, method, weights)
        except GameError as exc:
            errors[method] = str(exc)
            continue
        result.benefits = weights
        out[method] = result
    return {
        "players": list(game.players),
        "benefits": benefit,
        "rules": out,
        "errors": errors,
        "total": game.value(game.grand),
    }


def cited(
    store: Store, place_id: str, spec: dict[str, Any], file: str = "case"
) -> list[dict[str, Any]]:
    """The quotes a case cites, from the place's learning histories; a reference to a
    quote that does not exist is a problem named by its field."""
    from totalplace.history import service as history

    out, problems = [], []
    for n, ref in enumerate(spec.get("evidence", [])):
        where = f"evidence[{n}]"
        try:
            project = history.load(store, f"{place_id}:{ref['history']}")
        except ImportRejected:
            problems.append(
                Problem(
                    "bad-case",
                    f"there is no learning history {ref['history']!r} in this place",
                    file=file,
                    column=f"{where}.history",
                )
            )
            continue
        found = next((q for q in project["quotes"] if q["id"] == ref["quote"]), None)
        if found is None:
            problems.append(
                Problem(
                    "bad-case",
                    f"{ref['history']!r} has no quote {ref['quote']!r}",
                    file=file,
                    column=f"{where}.quote",
                )
            )
            continue
        out.append(
            {
                **ref,
                "text": found["text"],
                "role": found["role"],
                "publishable": not found["flags"] or found["approved"],
            }
        )
    if problems:
        raise ImportRejected(problems)
    return out


def _check_stored_case(record: dict[str, Any], file: str, number: int) -> None:
    """A case in a place data package passes every check a new case file does."""
    where = f"{file} record {number}"
    try:
        spec = CaseSpec.model_validate(record.get("spec"))
    except ValidationError as exc:
        raise validation_problems(exc, where, "bad-case") from exc
    case_from_spec(spec, where)


PLACE_DATA = TablesOfPlace(
    (
        Table(
            BusinessCase,
            "business_cases",
            "business_cases.json",
            "case.schema.json",
            check=_check_stored_case,
        ),
    )
)
