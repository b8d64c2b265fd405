"""A place's business cases, kept in the store, appraised and shared out on demand."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from totalplace.cases.files import CaseSpec, CasesSpec, case_from_spec, distributions
from totalplace.cases.rules.appraisal import Appraisal, appraise
from totalplace.cases.rules.uncertainty import simulate
from totalplace.cases.service.appraising import Appraised, game_from_cases
from totalplace.cases.tables import BusinessCase
from totalplace.core.jsonfile import parse_json, validation_problems
from totalplace.core.lifecycle import Table, TablesOfPlace
from totalplace.core.problems import ImportRejected, NotFound, Problem
from totalplace.core.store import audit as audit_store
from totalplace.core.store import base as store_base
from totalplace.core.store.db import Store
from totalplace.deleted import service as deleted_service
from totalplace.places.service import queries as place_queries
from totalplace.sharing.rules.allocation import GameError
from totalplace.sharing.service import METHODS, Allocated, allocate


def specs_in(content: bytes, file: str) -> list[CaseSpec]:
    """The cases of a case file: one case, or `{"cases": [...]}` for several; every
    mistake named by its field (`cases[1].costs[0].amount` in a file of several)."""
    data = parse_json(content, file, "bad-case")
    try:
        if isinstance(data, dict) and "cases" in data:
            return CasesSpec.model_validate(data).cases
        return [CaseSpec.model_validate(data)]
    except ValidationError as exc:
        raise validation_problems(exc, file, "bad-case") from exc


def add_cases(store: Store, place_id: str, content: bytes, file: str, actor: str) -> list[int]:
    """Check a case file of one case or several and keep them; all or nothing."""
    specs = specs_in(content, file)
    several = len(specs) > 1
    problems: list[Problem] = []
    with store.sessions() as session:
        known = _agencies_of(session, place_id)
    for number, spec in enumerate(specs):
        prefix = f"cases[{number}]." if several else ""
        problems += _checked(store, place_id, spec, file, prefix, known)
    if problems:
        raise ImportRejected(problems)
    with store.transaction() as session:
        return [_keep(session, place_id, spec, actor) for spec in specs]


def add_case(store: Store, place_id: str, content: bytes, file: str, actor: str) -> int:
    """Check a case file and keep its case (the first, if it holds several)."""
    return add_cases(store, place_id, content, file, actor)[0]


def _agencies_of(session: Session, place_id: str) -> dict[str, str]:
    return {a.agency_id: a.name for a in place_queries.agencies(session, place_id)}


def agencies_of(store: Store, place_id: str) -> dict[str, str]:
    """The place's agencies, id to name: the ones a case may name."""
    with store.sessions() as session:
        return _agencies_of(session, place_id)


def _checked(
    store: Store,
    place_id: str,
    spec: CaseSpec,
    file: str,
    prefix: str,
    known: dict[str, str],
) -> list[Problem]:
    """Every problem with a case, each named by its field: the case's own checks, its
    agencies (they must be the place's), and the quotes it cites."""
    problems: list[Problem] = []

    def moved(found: list[Problem]) -> list[Problem]:
        return [replace(p, column=f"{prefix}{p.column}" if p.column else p.column) for p in found]

    try:
        case_from_spec(spec, file)
    except ImportRejected as exc:
        problems += moved(list(exc.problems))
    problems += moved(unknown_agencies(spec, known, file))
    try:
        cited(store, place_id, spec.model_dump(by_alias=True), file)
    except ImportRejected as exc:
        problems += moved(list(exc.problems))
    return problems


def unknown_agencies(spec: CaseSpec, known: dict[str, str], file: str) -> list[Problem]:
    """A problem for each cost or benefit naming an agency the place does not have (a
    typo such as "lancs-county" would otherwise get a share of the savings)."""
    listed = ", ".join(sorted(known)) or "none yet"
    out = []
    for kind in ("costs", "benefits"):
        for number, flow in enumerate(getattr(spec, kind)):
            if flow.agency not in known:
                out.append(
                    Problem(
                        "bad-case",
                        f"{flow.agency!r} is not an agency of this place",
                        file=file,
                        column=f"{kind}[{number}].agency",
                        fix=f"Use the id of one of the place's agencies ({listed}), or add "
                        "the agency to the place first.",
                    )
                )
    return out


def _keep(session: Session, place_id: str, spec: CaseSpec, actor: str) -> int:
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


def save_case(store: Store, place_id: str, case_id: int | None, spec: CaseSpec, actor: str) -> int:
    """Keep a case built or edited in the page: the same checks as a file, then a new
    case (no `case_id`) or the case changed in place; audited either way."""
    problems = _checked(store, place_id, spec, "case", "", agencies_of(store, place_id))
    if problems:
        raise ImportRejected(problems)
    with store.transaction() as session:
        if case_id is None:
            return _keep(session, place_id, spec, actor)
        row = _row(session, place_id, case_id)
        row.name = spec.name
        row.spec = spec.model_dump(by_alias=True, exclude_none=True)
        audit_store.audit(session, actor, "edit-case", place_id, {"case": spec.name, "id": row.id})
        return row.id


def _row(session: Session, place_id: str, case_id: int) -> BusinessCase:
    row = session.get(BusinessCase, case_id)
    if row is None or row.place_id != place_id:
        raise NotFound(f"there is no business case {case_id} in this place")
    return row


def delete_case(store: Store, place_id: str, case_id: int, actor: str) -> None:
    """Set the case aside for 30 days (Recently deleted), where it can be restored."""
    with store.transaction() as session:
        row = _row(session, place_id, case_id)
        deleted_service.set_aside(session, place_id, "business_cases", row, row.name, actor)


def case_file(row: BusinessCase) -> bytes:
    """The case as a case file: uploading it again makes the same case."""
    return (json.dumps(row.spec, indent=2, ensure_ascii=False) + "\n").encode()


def spec_of(row: BusinessCase) -> CaseSpec:
    return CaseSpec.model_validate(row.spec)


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
