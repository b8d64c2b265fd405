"""The place data package: a Frictionless Data Package of CSV resources.

Reading checks every resource against its Table Schema (io/schemas.py) and gathers every
problem before anything is stored; writing produces a package that Frictionless tools
validate and that reads back to the same place.
"""

from __future__ import annotations

import csv
import io
import json
import re
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import polars as pl

from totalplace.core.problems import ImportRejected, Problem, ProblemList
from totalplace.count.files.lines import LINE_SCHEMA, extra_columns, format_amount, normalise_lines
from totalplace.count.rules.classification import Reference
from totalplace.places.files.schemas import (
    AGENCIES,
    APPORTIONMENT,
    PLACE,
    POPULATIONS,
    PROVENANCE_COLUMNS,
    RESOURCES,
    RETURNS,
    Resource,
)

Row = dict[str, str]
Report = Callable[[str], None]


@dataclass
class PlacePackage:
    place: Row
    agencies: list[Row]
    populations: list[Row] = field(default_factory=list)
    apportionment: list[Row] = field(default_factory=list)
    returns: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=LINE_SCHEMA))
    extra_columns: dict[str, list[str]] = field(default_factory=dict)
    # Every other capability's resources, by file name: read and checked by their owners.
    files: dict[str, bytes] = field(default_factory=dict)
    # How each of those is described in datapackage.json (name, format, mediatype, ...).
    descriptors: dict[str, dict[str, object]] = field(default_factory=dict)


def _quiet(_message: str) -> None:
    return None


@contextmanager
def package_folder(path: Path) -> Iterator[Path]:
    """A package is a folder or a zip of one; a zip is unpacked to a temporary folder."""
    if not path.exists():
        raise ImportRejected([Problem("file-not-found", f"{path} does not exist", file=str(path))])
    if path.is_dir():
        yield path
        return
    if not zipfile.is_zipfile(path):
        raise ImportRejected(
            [Problem("unsupported-format", "a data package is a folder or a .zip", file=str(path))]
        )
    with tempfile.TemporaryDirectory(prefix="totalplace-package-") as tmp:
        with zipfile.ZipFile(path) as archive:
            archive.extractall(tmp)
        root = Path(tmp)
        found = list(root.rglob("datapackage.json")) or list(root.rglob("place.csv"))
        yield found[0].parent if found else root


def read_package(
    path: Path, reference: Reference, known: tuple[str, ...] = (), report: Report = _quiet
) -> PlacePackage:
    """Read and check the core resources; take the bytes of the `known` other files (each
    capability's own resources, checked by it). A resource in datapackage.json that nothing
    reads is a problem, so nothing a person sends is left out in silence."""
    with package_folder(path) as folder:
        package = _read_folder(folder, reference, report)
        _check_listed(folder, known)
        for name in known:
            if (folder / name).is_file():
                package.files[name] = (folder / name).read_bytes()
        return package


def _check_listed(folder: Path, known: tuple[str, ...]) -> None:
    descriptor = folder / "datapackage.json"
    if not descriptor.exists():
        return
    listed = json.loads(descriptor.read_text(encoding="utf-8")).get("resources", [])
    core = {r.name for r in RESOURCES}
    unread = [
        str(item.get("path"))
        for item in listed
        if isinstance(item, dict) and item.get("name") not in core and item.get("path") not in known
    ]
    if unread:
        raise ImportRejected(
            [
                Problem(
                    "unknown-resource",
                    f"datapackage.json lists {path!r}, which no part of totalplace reads",
                    file="datapackage.json",
                    column="resources",
                )
                for path in unread
            ]
        )


def _read_folder(folder: Path, reference: Reference, report: Report) -> PlacePackage:
    paths = _resource_paths(folder)
    problems = ProblemList()
    small: dict[str, list[Row]] = {}
    extras: dict[str, list[str]] = {}
    for resource in (PLACE, AGENCIES, POPULATIONS, APPORTIONMENT):
        rows, extra = _read_small(folder, paths, resource, problems)
        small[resource.name] = rows
        extras[resource.name] = extra
    problems.raise_if_any()
    places = small["place"]
    if len(places) != 1:
        problems.add(
            Problem(
                "one-place-only", f"place.csv has {len(places)} rows, not one", file="place.csv"
            )
        )
        problems.raise_if_any()
    place = places[0]
    agency_ids = [a["agency_id"] for a in small["agencies"]]
    _check_apportionment(small["apportionment"], place["place_id"], agency_ids, problems)
    problems.raise_if_any()
    report("Reading returns")
    returns = _read_returns(folder, paths, agency_ids, reference, problems)
    problems.raise_if_any()
    extras["returns"] = extra_columns(returns)
    return PlacePackage(
        place=place,
        agencies=small["agencies"],
        populations=small["populations"],
        apportionment=small["apportionment"],
        returns=returns,
        extra_columns=extras,
    )


def _resource_paths(folder: Path) -> dict[str, str]:
    """Paths named in datapackage.json, else `<name>.csv`."""
    paths = {r.name: r.path for r in RESOURCES}
    descriptor = folder / "datapackage.json"
    if descriptor.exists():
        try:
            data = json.loads(descriptor.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ImportRejected(
                [
                    Problem(
                        "file-unreadable",
                        f"datapackage.json is not valid JSON ({exc})",
                        file="datapackage.json",
                    )
                ]
            ) from exc
        for item in data.get("resources", []):
            if (
                isinstance(item, dict)
                and item.get("name") in paths
                and isinstance(item.get("path"), str)
            ):
                paths[item["name"]] = item["path"]
    return paths


def _read_small(
    folder: Path, paths: dict[str, str], resource: Resource, problems: ProblemList
) -> tuple[list[Row], list[str]]:
    path = folder / paths[resource.name]
    name = paths[resource.name]
    if not path.exists():
        if resource.required:
            problems.add(
                Problem(
                    "missing-resource", f"the package has no {resource.name} resource", file=name
                )
            )
        return [], []
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        problems.add(
            Problem(
                "file-unreadable",
                "the file is not UTF-8 text",
                file=name,
                fix="Save the file as CSV UTF-8 and try again.",
            )
        )
        return [], []
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in reader.fieldnames or []]
    reader.fieldnames = header
    if _header_problems(header, resource, name, problems):
        return [], []
    rows: list[Row] = []
    seen: dict[tuple[str, ...], int] = {}
    for number, raw in enumerate(reader, start=2):
        row = {k: (v or "").strip() for k, v in raw.items() if k is not None}
        if not any(row.values()):
            continue
        for check in resource.fields:
            _check_value(
                check.name,
                check.type,
                check.required,
                row,
                name,
                number,
                problems,
                dict(check.constraints),
            )
        key = tuple(row.get(k, "") for k in resource.primary_key)
        if resource.primary_key and key in seen:
            problems.add(
                Problem(
                    "duplicate-key",
                    f"{', '.join(resource.primary_key)} {'/'.join(key)!r} repeats row {seen[key]}",
                    file=name,
                    row=number,
                    column=resource.primary_key[0],
                )
            )
        seen.setdefault(key, number)
        rows.append(row)
    extra = [h for h in header if h not in resource.field_names()]
    return rows, extra


def _header_problems(
    header: list[str], resource: Resource, name: str, problems: ProblemList
) -> bool:
    found = False
    duplicates = {h for h in header if header.count(h) > 1}
    for column in sorted(duplicates):
        problems.add(
            Problem(
                "duplicate-column",
                f"two columns are headed {column!r}",
                file=name,
                row=1,
                column=column,
            )
        )
        found = True
    for column in resource.required_names():
        if column not in header:
            problems.add(
                Problem(
                    "missing-column",
                    f"there is no {column!r} column",
                    file=name,
                    row=1,
                    column=column,
                    fix=f"Add a {column!r} column: {resource.name} needs it.",
                )
            )
            found = True
    for column in header:
        if column in PROVENANCE_COLUMNS and column not in resource.field_names():
            problems.add(
                Problem(
                    "reserved-column",
                    f"{column!r} is a reserved name",
                    file=name,
                    row=1,
                    column=column,
                )
            )
            found = True
    return found


def _check_value(
    column: str,
    kind: str,
    required: bool,
    row: Row,
    file: str,
    number: int,
    problems: ProblemList,
    constraints: dict[str, object],
) -> None:
    value = row.get(column, "")

    def add(code: str, message: str, fix: str | None = None) -> None:
        problems.add(Problem(code, message, file=file, row=number, column=column, fix=fix))

    if value == "":
        if required:
            add("blank-value", f"{column} is blank")
        return
    low, high = constraints.get("minimum"), constraints.get("maximum")
    if kind == "integer":
        if not value.lstrip("-").isdigit():
            add("not-an-integer", f"{value!r} is not a whole number")
        elif low is not None and int(value) < int(str(low)):
            add("out-of-range", f"{value} is below {low}")
    elif kind == "number":
        try:
            amount = Decimal(value)
        except InvalidOperation:
            add("not-a-number", f"{value!r} is not a number")
            return
        exponent = amount.as_tuple().exponent
        if (
            not amount.is_finite()
            or (low is not None and amount < Decimal(str(low)))
            or (high is not None and amount > Decimal(str(high)))
        ):
            add("out-of-range", f"{value} is not between {low} and {high}")
        elif isinstance(exponent, int) and exponent < -12:
            add(
                "too-many-decimals",
                f"{value} has more than 12 decimal places",
                "Round the share to 12 decimal places.",
            )
    pattern = constraints.get("pattern")
    if kind == "string" and isinstance(pattern, str) and not re.match(pattern, value):
        add(
            "out-of-range",
            f"{value!r} does not match {pattern}",
            "Use lower-case letters, digits, dashes and underscores only.",
        )


def _check_apportionment(
    rows: list[Row], place_id: str, agency_ids: list[str], problems: ProblemList
) -> None:
    for number, row in enumerate(rows, start=2):
        if row["agency_id"] not in agency_ids:
            problems.add(
                Problem(
                    "unknown-agency",
                    f"agency {row['agency_id']!r} is not in agencies.csv",
                    file="apportionment.csv",
                    row=number,
                    column="agency_id",
                )
            )
        if row["place_id"] != place_id:
            problems.add(
                Problem(
                    "unknown-place",
                    f"place {row['place_id']!r} is not this package's place {place_id!r}",
                    file="apportionment.csv",
                    row=number,
                    column="place_id",
                )
            )


def _read_returns(
    folder: Path,
    paths: dict[str, str],
    agency_ids: list[str],
    reference: Reference,
    problems: ProblemList,
) -> pl.DataFrame:
    name = paths["returns"]
    path = folder / name
    if not path.exists():
        problems.add(Problem("missing-resource", "the package has no returns resource", file=name))
        return pl.DataFrame(schema=LINE_SCHEMA)
    try:
        raw = pl.read_csv(path, infer_schema=False, encoding="utf8")
    except (pl.exceptions.ComputeError, UnicodeDecodeError) as exc:
        problems.add(
            Problem(
                "file-unreadable",
                f"the file cannot be read as UTF-8 CSV ({exc})",
                file=name,
                fix="Save the file as CSV UTF-8 and try again.",
            )
        )
        return pl.DataFrame(schema=LINE_SCHEMA)
    raw = raw.rename({c: c.strip() for c in raw.columns})
    header = raw.columns
    for column in header:
        if "_duplicated_" in column:
            problems.add(
                Problem(
                    "duplicate-column",
                    "two columns have the same header",
                    file=name,
                    row=1,
                    column=column.split("_duplicated_")[0],
                )
            )
    if _header_problems(header, RETURNS, name, problems):
        return pl.DataFrame(schema=LINE_SCHEMA)
    raw = raw.with_columns(
        pl.lit(name).alias("source_file"),
        pl.lit(None, dtype=pl.String).alias("source_sheet"),
    ).with_row_index("source_row", offset=2)
    return normalise_lines(raw, agency_ids, reference, problems)


def write_package(package: PlacePackage, folder: Path) -> None:
    """Write the package's CSV resources and its datapackage.json."""
    folder.mkdir(parents=True, exist_ok=True)
    descriptors = []
    for resource, rows in (
        (PLACE, [package.place]),
        (POPULATIONS, package.populations),
        (AGENCIES, package.agencies),
        (APPORTIONMENT, package.apportionment),
    ):
        extra = package.extra_columns.get(resource.name, [])
        _write_small(folder / resource.path, resource.field_names() + extra, rows)
        descriptors.append(resource.descriptor(extra))
    returns_extra = package.extra_columns.get("returns", [])
    _write_returns(folder / RETURNS.path, package.returns, returns_extra)
    descriptors.append(RETURNS.descriptor(returns_extra))
    for path, content in sorted(package.files.items()):
        (folder / path).write_bytes(content)
        descriptors.append({"path": path, **package.descriptors.get(path, {})})
    descriptor = {
        # Tabular while it holds only tables; other capabilities add JSON resources.
        "profile": "data-package" if package.files else "tabular-data-package",
        "name": package.place["place_id"],
        "title": package.place["name"],
        "description": "A place data package written by totalplace "
        "(docs/formats/place-data-package.md).",
        "resources": descriptors,
    }
    (folder / "datapackage.json").write_text(
        json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )


def _write_small(path: Path, columns: list[str], rows: list[Row]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(
            handle, fieldnames=columns, extrasaction="ignore", lineterminator="\n"
        )
        writer.writeheader()
        for row in rows:
            writer.writerow({c: row.get(c, "") for c in columns})


def _write_returns(path: Path, lines: pl.DataFrame, extra: list[str]) -> None:
    columns = []
    for name in RETURNS.field_names():
        if name == "amount_gbp":
            columns.append(format_amount(pl.col("amount_pence")).alias("amount_gbp"))
        elif name == "estimate":
            columns.append(
                pl.when(pl.col("estimate"))
                .then(pl.lit("true"))
                .otherwise(pl.lit("false"))
                .alias("estimate")
            )
        else:
            columns.append(pl.col(name))
    for name in extra:
        columns.append(
            pl.col(name) if name in lines.columns else pl.lit(None, dtype=pl.String).alias(name)
        )
    lines.select(columns).write_csv(path, null_value="")
