"""The estate data people have, read into assets; and the place's assets written back out.

Readers, each all or nothing with every problem named by file, row and column:
- the assets file (docs/formats/assets.md), the estate's own format;
- a council's land and building register under the Local Government Transparency Code
  (Trafford's columns: AssetCode, PropertyName, GeoX, GeoY, TenureType, ...), with its
  CSVW metadata when there is one;
- GeoJSON building footprints (OS OpenMap Local hospitals, fire stations): one site per
  named group of buildings, at the group's centroid;
- point lists (name, lon, lat: Jobcentres, schools, libraries, GP practices, ...);
- the NHS Estates Returns Information Collection (ERIC), its `Site Data` sheet.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import PurePath
from typing import Any

from totalplace.core.money import pence_to_pounds, pounds_to_pence
from totalplace.core.problems import ImportRejected, Problem, ProblemList
from totalplace.core.spreadsheets import decode
from totalplace.estate.rules import Asset, Polygon

ASSET_COLUMNS = (
    "asset_id",
    "agency_id",
    "name",
    "uprn",
    "latitude",
    "longitude",
    "tenure",
    "use",
    "gia_m2",
    "vacant",
    "running_cost_gbp",
    "lease_expiry",
    "source",
    "location_note",
)
REGISTER_COLUMNS = ("AssetCode", "PropertyName", "GeoX", "GeoY", "TenureType", "TenureDetail")
POINT_COLUMNS = ("name", "lon", "lat")
ERIC_SHEET = "Site Data"
ERIC_GIA = "Gross internal floor area (m²)"
# The site's running costs: its estates and facilities costs, maintenance and utilities
# (not backlog, which is a one-off; not cleaning, catering or portering, which are services).
ERIC_RUNNING_COSTS = (
    "Estates and facilities finance costs (£)",
    "Estates and property maintenance (£)",
    "Grounds and gardens maintenance (£)",
    "Other Hard FM (Estates) costs (£)",
    "Energy costs (all energy supplies) (£)",
    "Water cost (£)",
    "Sewage cost (£)",
)
POSTCODE_NOTE = "postcode centroid: approximate"
FOOTPRINT_NOTE = "centroid of the site's building footprints"
TENURE_WORDS = {
    "freehold": "freehold",
    "leasehold": "leasehold",
    "leasehold in": "leasehold",
    "leased in": "leasehold",
    "leasehold out": "leased out",
    "leased out": "leased out",
    "other": "other",
    "": "",
}
TRUE_WORDS = {"true", "yes", "y", "1", "vacant"}
FALSE_WORDS = {"false", "no", "n", "0", ""}


@dataclass(frozen=True)
class EstateFile:
    """What a reader found: the assets, and notes a person should read (rows left out)."""

    kind: str
    assets: list[Asset]
    notes: list[str]


def _rows(content: bytes) -> tuple[list[str], list[dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(decode(content)))
    header = [h.strip() for h in (reader.fieldnames or [])]
    rows = [
        {(k or "").strip(): (v or "").strip() for k, v in row.items() if k is not None}
        for row in reader
    ]
    return header, rows


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:80]


def _unique_ids(base: list[str]) -> list[str]:
    seen: dict[str, int] = defaultdict(int)
    out = []
    for b in base:
        seen[b] += 1
        out.append(b if seen[b] == 1 else f"{b}-{seen[b]}")
    return out


class _Cells:
    """One row's cells, turned into values; each bad cell adds a problem."""

    def __init__(self, row: dict[str, str], file: str, number: int, problems: ProblemList):
        self.row, self.file, self.number, self.problems = row, file, number, problems

    def problem(self, code: str, column: str, message: str, fix: str | None = None) -> None:
        self.problems.add(
            Problem(code, message, file=self.file, row=self.number, column=column, fix=fix)
        )

    def text(self, column: str) -> str:
        return self.row.get(column, "").strip()

    def coordinate(self, column: str, limit: float) -> float | None:
        value = self.text(column)
        if value in ("", "NA"):
            return None
        try:
            number = float(value)
        except ValueError:
            self.problem("not-a-number", column, f"{value!r} is not a number of degrees")
            return None
        if not -limit <= number <= limit:
            self.problem(
                "out-of-range", column, f"{value} is not between -{limit:g} and {limit:g} degrees"
            )
            return None
        return number

    def area(self, column: str) -> Decimal | None:
        value = self.text(column).replace(",", "")
        if value in ("", "NA"):
            return None
        try:
            number = Decimal(value)
        except InvalidOperation:
            self.problem("not-a-number", column, f"{value!r} is not a floor area in m²")
            return None
        if number < 0 or not number.is_finite():
            self.problem("out-of-range", column, f"{value} m² is not a floor area")
            return None
        return number

    def flag(self, column: str) -> bool | None:
        value = self.text(column).lower()
        if value == "":
            return None
        if value in TRUE_WORDS:
            return True
        if value in FALSE_WORDS:
            return False
        self.problem("bad-boolean", column, f"{value!r} is not true or false")
        return None

    def tenure(self, column: str) -> str:
        value = " ".join(self.text(column).lower().split())
        if value in TENURE_WORDS:
            return TENURE_WORDS[value]
        self.problem(
            "bad-tenure",
            column,
            f"{self.text(column)!r} is not a tenure totalplace knows",
        )
        return ""

    def pence(self, column: str) -> int | None:
        value = self.text(column)
        if value == "":
            return None
        try:
            return pounds_to_pence(Decimal(value.replace(",", "").replace("£", "")))
        except InvalidOperation:
            self.problem("not-a-number", column, f"{value!r} is not an amount in pounds")
            return None

    def day(self, column: str) -> date | None:
        value = self.text(column)
        if value == "":
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            self.problem("bad-date", column, f"{value!r} is not a date like 2027-03-31")
            return None


def _missing(header: Sequence[str], needed: Sequence[str], file: str) -> None:
    absent = [c for c in needed if c not in header]
    if absent:
        raise ImportRejected(
            [
                Problem(
                    "missing-column",
                    f"the file has no {c!r} column",
                    file=file,
                    column=c,
                    fix=f"Add a column headed {c!r}.",
                )
                for c in absent
            ]
        )


# ---- the assets file ------------------------------------------------------------------


def read_assets(content: bytes, file: str, agency_id: str) -> EstateFile:
    header, rows = _rows(content)
    _missing(header, ("asset_id", "name"), file)
    problems = ProblemList()
    out = []
    seen: dict[str, int] = {}
    for number, row in enumerate(rows, start=2):
        cells = _Cells(row, file, number, problems)
        asset = asset_from_record(cells, agency_id)
        if asset is None:
            continue
        if asset.asset_id in seen:
            cells.problem(
                "duplicate-key",
                "asset_id",
                f"asset {asset.asset_id!r} is on row {seen[asset.asset_id]} already",
            )
        seen[asset.asset_id] = number
        out.append(asset)
    problems.raise_if_any()
    return EstateFile("assets", out, [])


def asset_from_record(cells: _Cells, agency_id: str) -> Asset | None:
    """An asset from a row of the assets file, or None when a required cell is blank."""
    asset_id, name = cells.text("asset_id"), cells.text("name")
    for column, value in (("asset_id", asset_id), ("name", name)):
        if not value:
            cells.problem("blank-value", column, f"the {column} is blank")
    own = cells.text("agency_id")
    if own and agency_id and own != agency_id:
        cells.problem(
            "unknown-agency",
            "agency_id",
            f"the row is {own}'s asset, but the file is imported for {agency_id}",
            fix=f"Import the file for {own}, or correct the agency_id.",
        )
    latitude = cells.coordinate("latitude", 90)
    longitude = cells.coordinate("longitude", 180)
    asset = Asset(
        asset_id=asset_id,
        agency_id=agency_id or own,
        name=name,
        latitude=latitude,
        longitude=longitude,
        uprn=cells.text("uprn"),
        tenure=cells.tenure("tenure"),
        use=cells.text("use"),
        gia_m2=cells.area("gia_m2"),
        vacant=cells.flag("vacant"),
        running_cost_pence=cells.pence("running_cost_gbp"),
        lease_expiry=cells.day("lease_expiry"),
        source=cells.text("source"),
        location_note=cells.text("location_note"),
        extras={k: v for k, v in cells.row.items() if k not in ASSET_COLUMNS and v},
    )
    return asset if asset_id and name else None


def write_assets(assets: Sequence[Asset]) -> bytes:
    """The assets file, extra columns after the standard ones; cells a spreadsheet would
    run as formulas are escaped."""
    extra = sorted({k for a in assets for k in a.extras})
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([*ASSET_COLUMNS, *extra])
    for a in assets:
        writer.writerow(
            [_safe(v) for v in (*asset_cells(a), *(a.extras.get(k, "") for k in extra))]
        )
    return buffer.getvalue().encode()


def asset_cells(a: Asset) -> list[str]:
    pounds = "" if a.running_cost_pence is None else str(pence_to_pounds(a.running_cost_pence))
    return [
        a.asset_id,
        a.agency_id,
        a.name,
        a.uprn,
        "" if a.latitude is None else repr(a.latitude),
        "" if a.longitude is None else repr(a.longitude),
        a.tenure,
        a.use,
        "" if a.gia_m2 is None else str(a.gia_m2),
        "" if a.vacant is None else str(a.vacant).lower(),
        pounds,
        "" if a.lease_expiry is None else a.lease_expiry.isoformat(),
        a.source,
        a.location_note,
    ]


def _safe(value: str) -> str:
    return "'" + value if value[:1] in ("=", "+", "-", "@") and not _is_number(value) else value


def _is_number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


# ---- the Transparency Code register ---------------------------------------------------


def read_register(
    content: bytes, file: str, agency_id: str, metadata: bytes | None = None
) -> EstateFile:
    header, rows = _rows(content)
    _missing(header, REGISTER_COLUMNS, file)
    notes = []
    if metadata is not None:
        notes.append(_check_metadata(metadata, header, file))
    problems = ProblemList()
    out = []
    ids = _unique_ids([r.get("AssetCode", "") for r in rows])
    for number, (row, asset_id) in enumerate(zip(rows, ids, strict=True), start=2):
        cells = _Cells(row, file, number, problems)
        if not cells.text("AssetCode"):
            cells.problem("blank-value", "AssetCode", "the asset has no AssetCode")
            continue
        crs = cells.text("CoordinateReferenceSystem")
        if crs and crs.upper() != "WGS84":
            cells.problem(
                "out-of-range",
                "CoordinateReferenceSystem",
                f"{crs!r} coordinates cannot be read yet",
                fix="Give GeoX and GeoY as WGS84 longitude and latitude.",
            )
        tenure_type = cells.text("TenureType").lower()
        detail = cells.text("TenureDetail").lower()
        tenure = {"freehold": "freehold", "leasehold": "leasehold", "": ""}.get(tenure_type)
        if tenure is None:
            cells.problem(
                "bad-tenure", "TenureType", f"{tenure_type!r} is not Freehold or Leasehold"
            )
            tenure = ""
        if detail == "leasehold out":
            tenure = "leased out"
        elif detail == "leasehold in":
            tenure = "leasehold"
        address = ", ".join(
            p
            for p in (
                " ".join(x for x in (cells.text("StreetNumber"), cells.text("StreetName")) if x),
                cells.text("PostTown"),
                cells.text("PostCode"),
            )
            if p
        )
        extras = {
            k: v
            for k, v in row.items()
            if v and k in ("PostCode", "HoldingType", "EnergyRating", "EffectiveDate")
        }
        if address and cells.text("StreetName"):
            # Without a street the address is only a town, which names no building.
            extras["address"] = address
        out.append(
            Asset(
                asset_id=asset_id,
                agency_id=agency_id,
                name=cells.text("PropertyName") or asset_id,
                latitude=cells.coordinate("GeoY", 90),
                longitude=cells.coordinate("GeoX", 180),
                uprn=cells.text("UPRN"),
                tenure=tenure,
                use=cells.text("OtherDetail") or cells.text("HoldingType"),
                gia_m2=cells.area("BuildingSize"),
                vacant=detail == "vacant",
                source=f"{file}, row {number}",
                extras=extras,
            )
        )
    problems.raise_if_any()
    return EstateFile("register", out, notes)


def _check_metadata(metadata: bytes, header: Sequence[str], file: str) -> str:
    """The CSVW metadata names the register's columns: they must be the file's.

    Published metadata is not always valid JSON (Trafford's has unescaped quotes in a
    description); its column titles are then read from the text, and the note says so."""
    text = decode(metadata)
    note = ""
    try:
        described = json.loads(text)
        titles = [str(c["titles"]) for c in described["tableSchema"]["columns"]]
    except json.JSONDecodeError as exc:
        titles = re.findall(r'"titles"\s*:\s*"([^"]*)"', text)
        note = (
            f" (the metadata is not valid JSON at line {exc.lineno} column {exc.colno}: "
            "its column titles were read from the text)"
        )
    except (KeyError, TypeError) as exc:
        titles = []
        note = f" (the metadata has no tableSchema columns: {exc})"
    if not titles:
        raise ImportRejected(
            [
                Problem(
                    "file-unreadable",
                    "the CSVW metadata names no columns" + note,
                    file=f"{file}-metadata.json",
                    fix="Give the CSVW metadata published with the register, or leave it out.",
                )
            ]
        )
    absent = [t for t in titles if t not in header]
    if absent:
        raise ImportRejected(
            [
                Problem(
                    "missing-column",
                    f"the CSVW metadata describes a column {t!r} the file does not have",
                    file=file,
                    column=t,
                )
                for t in absent
            ]
        )
    return f"The file's columns match the {len(titles)} its CSVW metadata describes{note}."


# ---- GeoJSON footprints ---------------------------------------------------------------


def _polygons(geometry: dict[str, Any]) -> list[Polygon]:
    kind = geometry.get("type")
    coordinates = geometry.get("coordinates") or []
    if kind == "Polygon":
        return [_polygon(coordinates)]
    if kind == "MultiPolygon":
        return [_polygon(p) for p in coordinates]
    raise ValueError(f"a {kind} is not a building footprint")


def _polygon(rings: Any) -> Polygon:
    return [[(float(x), float(y)) for x, y, *_ in ring] for ring in rings]


def read_geojson(content: bytes, file: str) -> list[tuple[dict[str, Any], list[Polygon]]]:
    """Each feature's properties and polygons."""
    try:
        data = json.loads(decode(content))
    except json.JSONDecodeError as exc:
        raise ImportRejected(
            [Problem("file-unreadable", f"the file is not valid JSON ({exc})", file=file)]
        ) from exc
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise ImportRejected(
            [Problem("not-an-estate-file", "the GeoJSON is not a FeatureCollection", file=file)]
        )
    out = []
    problems = ProblemList()
    for number, feature in enumerate(data.get("features") or [], start=1):
        try:
            out.append((feature.get("properties") or {}, _polygons(feature["geometry"])))
        except (KeyError, TypeError, ValueError) as exc:
            problems.add(
                Problem(
                    "not-an-estate-file",
                    f"feature {number} has no polygon geometry ({exc})",
                    file=file,
                    row=number,
                    column="geometry",
                    fix="Give each feature a Polygon or MultiPolygon geometry in lon/lat.",
                )
            )
    problems.raise_if_any()
    return out


def read_footprints(
    content: bytes, file: str, agency_id: str, keep: Callable[[dict[str, Any]], bool]
) -> EstateFile:
    """One site per named group of buildings, at its centroid; buildings named Unknown
    are each a site of their own, as nothing says which belong together."""
    from totalplace.estate.rules import centroid

    features = read_geojson(content, file)
    kept = [(p, g) for p, g in features if keep(p)]
    groups: dict[str, list[tuple[dict[str, Any], list[Polygon]]]] = defaultdict(list)
    for number, (properties, polygons) in enumerate(kept, start=1):
        name = str(properties.get("DISTNAME") or properties.get("name") or "").strip()
        key = name if name and name.lower() != "unknown" else f"#{number}"
        groups[key].append((properties, polygons))
    out = []
    theme = ""
    for key, members in groups.items():
        properties = members[0][0]
        theme = str(properties.get("CLASSIFICA") or properties.get("BUILDGTHEM") or "site")
        lon, lat = centroid([p for _, polygons in members for p in polygons])
        named = not key.startswith("#")
        building_id = str(properties.get("ID") or key)
        name = key if named else f"{theme} (unnamed building {building_id[:8]})"
        out.append(
            Asset(
                asset_id=f"{slug(theme)}-{slug(key) if named else slug(building_id)}",
                agency_id=agency_id,
                name=name,
                latitude=round(lat, 6),
                longitude=round(lon, 6),
                use=theme,
                source=f"{file}, {len(members)} building footprint"
                + ("s" if len(members) != 1 else ""),
                location_note=FOOTPRINT_NOTE,
                extras={"buildings": str(len(members))},
            )
        )
    notes = [f"{len(kept)} of {len(features)} footprints kept, as {len(out)} sites."]
    return EstateFile("footprints", out, notes)


# ---- point lists ----------------------------------------------------------------------


def read_points(
    content: bytes, file: str, agency_id: str, keep: Callable[[dict[str, str]], bool]
) -> EstateFile:
    header, rows = _rows(content)
    _missing(header, POINT_COLUMNS, file)
    kind = PurePath(file).stem.lower()
    problems = ProblemList()
    kept = [(n, r) for n, r in enumerate(rows, start=2) if keep(r)]
    bases = [
        f"urn-{r['unique_reference_number']}"
        if r.get("unique_reference_number")
        else f"{slug(kind)}-{slug(r.get('name', ''))}"
        for _, r in kept
    ]
    out = []
    for (number, row), asset_id in zip(kept, _unique_ids(bases), strict=True):
        cells = _Cells(row, file, number, problems)
        if not cells.text("name"):
            cells.problem("blank-value", "name", "the site has no name")
            continue
        extras = {k: v for k, v in row.items() if v and v != "NA" and k not in POINT_COLUMNS}
        out.append(
            Asset(
                asset_id=asset_id,
                agency_id=agency_id,
                name=cells.text("name"),
                latitude=cells.coordinate("lat", 90),
                longitude=cells.coordinate("lon", 180),
                use=cells.text("type") or kind.replace("_", " "),
                source=f"{file}, row {number}",
                location_note=POSTCODE_NOTE if row.get("postcode") else "",
                extras=extras,
            )
        )
    problems.raise_if_any()
    notes = [f"{len(kept)} of {len(rows)} rows kept."] if len(kept) != len(rows) else []
    return EstateFile("points", out, notes)


# ---- ERIC -----------------------------------------------------------------------------


def read_eric(
    sheets: dict[str, list[list[Any]]], file: str, agency_id: str, sites: Sequence[str]
) -> EstateFile:
    """The chosen sites of ERIC's `Site Data` sheet (header on row 2): floor area, and the
    estates and facilities running costs. ERIC has no coordinates."""
    rows = sheets.get(ERIC_SHEET)
    if rows is None or len(rows) < 2:
        raise ImportRejected(
            [Problem("not-an-estate-file", f"the workbook has no {ERIC_SHEET!r} sheet", file=file)]
        )
    header = [str(c or "").strip() for c in rows[1]]
    _missing(header, ("Site Code", "Site Name", ERIC_GIA), file)
    cost_columns = [header.index(h) for h in ERIC_RUNNING_COSTS if h in header]
    index = {h: i for i, h in enumerate(header)}
    wanted = {s.strip().upper() for s in sites}
    if not wanted:
        raise ImportRejected(
            [
                Problem(
                    "unknown-site",
                    f"the return lists {len(rows) - 2:,} sites in England: choose the place's",
                    file=file,
                    sheet=ERIC_SHEET,
                    fix="Name the place's sites by their ERIC site codes (--site RW3TR).",
                )
            ]
        )
    out = []
    for number, row in enumerate(rows[2:], start=3):
        code = str(row[index["Site Code"]] or "").strip().upper()
        if code not in wanted:
            continue
        wanted.discard(code)
        gia = _number(row[index[ERIC_GIA]])
        costs = [_number(row[i]) for i in cost_columns]
        known = [c for c in costs if c is not None]
        out.append(
            Asset(
                asset_id=f"eric-{code.lower()}",
                agency_id=agency_id,
                name=str(row[index["Site Name"]]).strip(),
                use=str(row[index.get("Site Type", 0)] or "").strip(),
                gia_m2=None if gia is None else Decimal(str(gia)),
                running_cost_pence=round(sum(known) * 100) if known else None,
                source=f"{file}, sheet {ERIC_SHEET}, row {number}",
                extras={
                    "eric_site_code": code,
                    "trust": str(row[index.get("Organisation Name", 0)] or "").strip(),
                },
            )
        )
    if wanted:
        raise ImportRejected(
            [
                Problem(
                    "unknown-site",
                    f"the return has no site {code}",
                    file=file,
                    sheet=ERIC_SHEET,
                    column="Site Code",
                    fix="Check the site code against the return's Site Code column.",
                )
                for code in sorted(wanted)
            ]
        )
    return EstateFile("eric", out, [])


def _number(value: Any) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    try:
        return float(str(value).replace(",", ""))
    except ValueError:
        return None
