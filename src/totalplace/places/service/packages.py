"""Import and export a whole place as a data package."""

from __future__ import annotations

import shutil
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

import polars as pl
from sqlalchemy.orm import Session

from totalplace.core.context import Report, default_actor, default_store, quiet
from totalplace.core.problems import ImportRejected, NotFound, Problem
from totalplace.core.reference import reference
from totalplace.core.registry import place_data
from totalplace.core.store import audit as audit_store
from totalplace.core.store import base as store_base
from totalplace.core.store.db import Store
from totalplace.count.service import queries as count_queries
from totalplace.count.service.queries import LINE_SCHEMA, Submission
from totalplace.places import tables as place_tables
from totalplace.places.files.package import PlacePackage, Row, read_package, write_package
from totalplace.places.tables import Agency, Apportionment, Place, Population


@dataclass(frozen=True)
class PackageImported:
    place_id: str
    agencies: int
    lines: int
    submissions: int
    financial_years: list[str]
    replaced: bool = False
    # The other capabilities' resources it held (file names), each loaded by its owner.
    resources: tuple[str, ...] = ()


def import_package(
    path: Path | str,
    store: Store | None = None,
    actor: str | None = None,
    replace: bool = False,
    report: Report = quiet,
) -> PackageImported:
    """Load a place data package (folder or zip); all or nothing."""
    store = default_store(store)
    actor = default_actor(actor)
    source = Path(path)
    report(f"Checking {source.name}")
    known = tuple(path for data in place_data() for path in data.paths)
    package = read_package(source, reference(), known, report)
    place_id = package.place["place_id"]
    with store.sessions() as session:
        exists = place_tables.get_place(session, place_id) is not None
    if exists and not replace:
        raise ImportRejected(
            [
                Problem(
                    "place-exists",
                    f"place {place_id!r} is already stored",
                    file="place.csv",
                    row=2,
                    column="place_id",
                )
            ]
        )
    report("Storing lines")
    written = write_submissions(
        store,
        place_id,
        package.returns,
        kind="package",
        source_files=[{"name": source.name}],
        actor=actor,
        mapping={},
    )
    old_files: list[str] = []
    try:
        with store.transaction() as session:
            if exists:
                old_files = delete_place_data(session, place_id, replacing=True)
                session.flush()
            _add_place(session, package, exists)
            session.flush()
            for submission in written:
                session.add(submission)
            session.flush()
            for data in place_data():
                data.load(session, place_id, package.files, actor)
            audit_store.audit(
                session,
                actor,
                "import-package",
                place_id,
                {
                    "file": source.name,
                    "lines": package.returns.height,
                    "replaced": exists,
                    "resources": sorted(package.files),
                },
            )
    except Exception:
        for submission in written:
            store.lines.remove(submission.lines_file)
        raise
    for name in old_files:
        store.lines.remove(name)
    return PackageImported(
        place_id=place_id,
        agencies=len(package.agencies),
        lines=package.returns.height,
        submissions=len(written),
        financial_years=sorted({s.financial_year for s in written}),
        replaced=exists,
        resources=tuple(sorted(package.files)),
    )


def delete_place_data(session: Session, place_id: str, replacing: bool) -> list[str]:
    """Every capability's data of the place, last-registered first; the line files to
    remove once committed. When `replacing`, the place's row and its people stay."""
    files: list[str] = []
    for data in reversed(place_data()):
        files.extend(data.delete(session, place_id, replacing))
        session.flush()
    return files


def delete_place(store: Store, place_id: str, actor: str | None = None) -> None:
    """Delete a place and everything every capability holds for it."""
    store = default_store(store)
    actor = default_actor(actor)
    with store.transaction() as session:
        place = place_tables.get_place(session, place_id)
        if place is None:
            raise NotFound(f"there is no place {place_id!r}")
        files = delete_place_data(session, place_id, replacing=False)
        session.delete(place)
        audit_store.audit(session, actor, "delete-place", None, {"place_id": place_id})
    for name in files:
        store.lines.remove(name)


def write_submissions(
    store: Store,
    place_id: str,
    lines: pl.DataFrame,
    kind: str,
    source_files: list[dict[str, str]],
    actor: str,
    mapping: dict[str, object],
) -> list[Submission]:
    """Write one Parquet file per agency and year; the caller adds the rows it returns.

    Each row says version 1, right for a new place; a caller adding to existing returns
    sets the version inside its locked transaction (the files are named without it, as
    the version is only known there: decision 0501)."""
    submissions: list[Submission] = []
    if lines.height == 0:
        return submissions
    groups = lines.partition_by(["agency_id", "financial_year"], as_dict=True, maintain_order=True)
    try:
        for key, group in groups.items():
            agency_id, financial_year = str(key[0]), str(key[1])
            name = f"{place_id}/{agency_id}/{financial_year}/{uuid.uuid4().hex}.parquet"
            kept = group.select([c for c in group.columns if not _all_null_extra(group, c)])
            digest = store.lines.write(name, kept)
            submissions.append(
                Submission(
                    place_id=place_id,
                    agency_id=agency_id,
                    financial_year=financial_year,
                    version=1,
                    status="current",
                    kind=kind,
                    source_files=source_files,
                    uploaded_by=actor,
                    uploaded_at=store_base.now(),
                    mapping=mapping,
                    line_count=group.height,
                    total_pence=int(group["amount_pence"].sum()),
                    lines_file=name,
                    lines_sha256=digest,
                )
            )
    except Exception:
        for submission in submissions:
            store.lines.remove(submission.lines_file)
        raise
    return submissions


def _all_null_extra(frame: pl.DataFrame, column: str) -> bool:
    return column not in LINE_SCHEMA and frame[column].null_count() == frame.height


def _add_place(session: Session, package: PlacePackage, exists: bool) -> None:
    place = package.place
    place_id = place["place_id"]
    stored = session.get(Place, place_id) if exists else None
    if stored is None:
        session.add(
            Place(
                place_id=place_id,
                name=place["name"],
                gss_codes=place["gss_codes"],
                extras=_extras(place, "place", package),
                created_at=store_base.now(),
            )
        )
    else:
        # The row stays, so the place's people keep their roles across a replace.
        stored.name, stored.gss_codes = place["name"], place["gss_codes"]
        stored.extras = _extras(place, "place", package)
    session.flush()
    for row in package.agencies:
        session.add(
            Agency(
                place_id=place_id,
                agency_id=row["agency_id"],
                name=row["name"],
                agency_type=row["agency_type"],
                extras=_extras(row, "agencies", package),
            )
        )
    for row in package.populations:
        session.add(
            Population(
                place_id=place_id,
                gss_code=row["gss_code"],
                year=int(row["year"]),
                population=int(row["population"]),
                extras=_extras(row, "populations", package),
            )
        )
    session.flush()
    for row in package.apportionment:
        session.add(
            Apportionment(
                place_id=place_id,
                agency_id=row["agency_id"],
                share=row["share"],
                basis=row.get("basis", ""),
                source=row.get("source", ""),
                extras=_extras(row, "apportionment", package),
            )
        )


def _extras(row: Row, resource: str, package: PlacePackage) -> dict[str, str]:
    return {c: row.get(c, "") for c in package.extra_columns.get(resource, [])}


def export_package(place_id: str, path: Path | str, store: Store | None = None) -> Path:
    """Write the place as a data package: a folder, or a zip when the path ends in .zip."""
    store = default_store(store)
    target = Path(path)
    package = load_package(store, place_id)
    for data in place_data():
        for item in data.export(store, place_id):
            package.files[item.path] = item.content
            package.descriptors[item.path] = {"name": item.name, **item.descriptor}
    if target.suffix.lower() == ".zip":
        with tempfile.TemporaryDirectory(prefix="totalplace-export-") as tmp:
            folder = Path(tmp) / place_id
            write_package(package, folder)
            archive = shutil.make_archive(str(target.with_suffix("")), "zip", folder)
            return Path(archive)
    write_package(package, target)
    return target


def load_package(store: Store, place_id: str) -> PlacePackage:
    with store.sessions() as session:
        place = place_tables.get_place(session, place_id)
        if place is None:
            raise NotFound(f"there is no place {place_id!r}")
        agencies = place_tables.agencies(session, place_id)
        populations = place_tables.populations(session, place_id)
        shares = place_tables.apportionments(session, place_id)
        submissions = count_queries.current_submissions(session, place_id)
    frames = [store.lines.read(s.lines_file) for s in submissions]
    lines = (
        pl.concat(frames, how="diagonal_relaxed") if frames else pl.DataFrame(schema=LINE_SCHEMA)
    )
    extra_returns = [c for c in lines.columns if c not in LINE_SCHEMA]
    extras = {
        "place": list(place.extras),
        "agencies": _keys(a.extras for a in agencies),
        "populations": _keys(p.extras for p in populations),
        "apportionment": _keys(a.extras for a in shares),
        "returns": extra_returns,
    }
    return PlacePackage(
        place={
            "place_id": place.place_id,
            "name": place.name,
            "gss_codes": place.gss_codes,
            **place.extras,
        },
        agencies=[
            {"agency_id": a.agency_id, "name": a.name, "agency_type": a.agency_type, **a.extras}
            for a in agencies
        ],
        populations=[
            {
                "gss_code": p.gss_code,
                "year": str(p.year),
                "population": str(p.population),
                **p.extras,
            }
            for p in populations
        ],
        apportionment=[
            {
                "agency_id": a.agency_id,
                "place_id": a.place_id,
                "share": a.share,
                "basis": a.basis,
                "source": a.source,
                **a.extras,
            }
            for a in shares
        ],
        returns=lines,
        extra_columns=extras,
    )


def _keys(dicts: object) -> list[str]:
    keys: list[str] = []
    for item in dicts:  # type: ignore[attr-defined]
        for key in item:
            if key not in keys:
                keys.append(key)
    return keys
