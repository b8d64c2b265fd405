"""The public estate's use cases: import an agency's estate file, see the place's assets
with their data-quality findings on one map, find where agencies could share, and the
estate's running costs from the count. Each owns its transaction."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path, PurePath
from typing import Any

from totalplace.core.lifecycle import Table, TablesOfPlace
from totalplace.core.problems import ImportRejected, Problem, ProblemList
from totalplace.core.store import audit as audit_store
from totalplace.core.store.db import Store
from totalplace.estate import files, rules
from totalplace.estate.rules import Asset, Finding, Pair, Polygon
from totalplace.estate.tables import AssetRow
from totalplace.estate.tables import asset_ids as stored_asset_ids
from totalplace.estate.tables import assets as stored_assets
from totalplace.places.service import queries as place_queries

DATA = Path(__file__).parent / "data"
BOUNDARIES = DATA / "boundaries"
MAX_ESTATE_BYTES = 8 * 1024 * 1024
# Count lines whose words say so are the estate's running costs: premises, rents, rates.
RUNNING_COST_COLUMNS = ("description", "expense_type", "service", "ProclassLabel")
RUNNING_COST_PATTERN = (
    r"\b(premises|rent of premises|rents|rent|rates|business rates|property management)\b"
)


# ---- import ---------------------------------------------------------------------------


@dataclass(frozen=True)
class EstateImported:
    place_id: str
    agency_id: str
    kind: str
    added: int
    replaced: int
    notes: list[str]


def import_estate(
    store: Store,
    place_id: str,
    content: bytes,
    filename: str,
    agency_id: str,
    actor: str,
    metadata: bytes | None = None,
    sites: Sequence[str] = (),
) -> EstateImported:
    """Read an estate file for one agency and keep its assets; all or nothing. An asset
    already held for the agency is replaced; one held by another agency is a problem."""
    with store.sessions() as session:
        place = place_queries.get_place(session, place_id)
        if place is None:
            raise ImportRejected([Problem("unknown-place", f"there is no place {place_id!r}")])
        agency = session.get(place_queries.Agency, (place_id, agency_id))
        gss = {c.strip() for c in place.gss_codes.split(";") if c.strip()}
        held = stored_asset_ids(session, place_id)
        if agency is None:
            known = ", ".join(a.agency_id for a in place_queries.agencies(session, place_id))
            raise ImportRejected(
                [
                    Problem(
                        "unknown-agency",
                        f"the place has no agency {agency_id!r}",
                        file=filename,
                        fix=f"Use one of: {known}; or add the agency to the place first.",
                    )
                ]
            )
        located = {
            row.name.lower(): from_row(row)
            for row in stored_assets(session, place_id)
            if row.latitude
        }
    read = read_estate_file(content, filename, agency_id, gss, metadata, sites)
    estate = [_locate(a, located) for a in read.assets]
    clashes = [a for a in estate if held.get(a.asset_id, agency_id) != agency_id]
    if clashes:
        raise ImportRejected(
            [
                Problem(
                    "duplicate-key",
                    f"asset {a.asset_id!r} is {held[a.asset_id]}'s already",
                    file=filename,
                    column="asset_id",
                    fix="Give the asset another identifier, or import it for its agency.",
                )
                for a in clashes
            ]
        )
    replaced = sum(1 for a in estate if a.asset_id in held)
    with store.transaction() as session:
        for a in estate:
            existing = session.get(AssetRow, (place_id, a.asset_id))
            if existing is not None:
                session.delete(existing)
                session.flush()
            session.add(to_row(place_id, a))
        audit_store.audit(
            session,
            actor,
            "import-estate",
            place_id,
            {"agency_id": agency_id, "file": filename, "assets": len(estate)},
        )
    return EstateImported(
        place_id, agency_id, read.kind, len(estate) - replaced, replaced, read.notes
    )


def read_estate_file(
    content: bytes,
    filename: str,
    agency_id: str,
    gss: Collection[str] = (),
    metadata: bytes | None = None,
    sites: Sequence[str] = (),
) -> files.EstateFile:
    """Any estate file, by its kind: the kind is told from its contents, not its name."""
    suffix = PurePath(filename).suffix.lower()
    if len(content) > MAX_ESTATE_BYTES:
        raise ImportRejected(
            [Problem("file-unreadable", "the file is larger than 8 MB", file=filename)]
        )
    in_place = _in_place(gss)
    if suffix in (".xls", ".xlsx", ".ods"):
        return files.read_eric(_workbook(content, filename), filename, agency_id, sites)
    if suffix in (".geojson", ".json"):
        return files.read_footprints(content, filename, agency_id, in_place)
    header, _ = files._rows(content)
    if "asset_id" in header:
        return files.read_assets(content, filename, agency_id)
    if "AssetCode" in header:
        return files.read_register(content, filename, agency_id, metadata)
    if {"name", "lon", "lat"} <= set(header):
        return files.read_points(content, filename, agency_id, in_place)
    raise ImportRejected(
        [
            Problem(
                "not-an-estate-file",
                "the file is none of the estate files totalplace reads",
                file=filename,
                fix="Give an assets file (docs/formats/assets.md), a Transparency Code land "
                "and building register, GeoJSON footprints, a point list with name, lon and "
                "lat columns, or an ERIC return.",
            )
        ]
    )


def _in_place(gss: Collection[str]) -> Any:
    """Files covering several areas say which each row is in (`area_code`): keep the
    place's. Rows without an area code are kept; the boundary check sees them."""

    def keep(row: dict[str, Any]) -> bool:
        code = str(row.get("area_code") or "").strip()
        return not gss or not code or code in gss

    return keep


def _workbook(content: bytes, filename: str) -> dict[str, list[list[Any]]]:
    import tempfile

    from totalplace.core.spreadsheets import read_sheets

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / PurePath(filename).name
        path.write_bytes(content)
        return {s.name or "": [list(row) for row in s.rows] for s in read_sheets(path)}


def _locate(asset: Asset, located: dict[str, Asset]) -> Asset:
    """A site with no point (ERIC's) takes the point of a mapped asset of the same name; when
    that asset is the agency's own, the site's figures are added to it rather than drawn
    twice."""
    found = located.get(asset.name.lower())
    if asset.located or found is None:
        return asset
    if found.agency_id == asset.agency_id:
        return replace(
            found,
            gia_m2=asset.gia_m2 if asset.gia_m2 is not None else found.gia_m2,
            running_cost_pence=asset.running_cost_pence
            if asset.running_cost_pence is not None
            else found.running_cost_pence,
            use=found.use or asset.use,
            source=f"{found.source}; {asset.source}",
            extras={**found.extras, **asset.extras},
        )
    return replace(
        asset,
        latitude=found.latitude,
        longitude=found.longitude,
        location_note=f"the point of {found.name} ({found.agency_id})",
    )


# ---- rows and assets ------------------------------------------------------------------


def to_row(place_id: str, a: Asset) -> AssetRow:
    cells = dict(zip(files.ASSET_COLUMNS, files.asset_cells(a), strict=True))
    return AssetRow(
        place_id=place_id,
        asset_id=a.asset_id,
        agency_id=a.agency_id,
        name=a.name,
        uprn=a.uprn,
        latitude=cells["latitude"],
        longitude=cells["longitude"],
        tenure=a.tenure,
        use=a.use,
        gia_m2=cells["gia_m2"],
        vacant=cells["vacant"],
        running_cost_pence=a.running_cost_pence,
        lease_expiry=cells["lease_expiry"],
        source=a.source,
        location_note=a.location_note,
        extras=json.dumps(a.extras, ensure_ascii=False, sort_keys=True),
    )


def from_row(row: AssetRow) -> Asset:
    return Asset(
        asset_id=row.asset_id,
        agency_id=row.agency_id,
        name=row.name,
        latitude=float(row.latitude) if row.latitude else None,
        longitude=float(row.longitude) if row.longitude else None,
        uprn=row.uprn,
        tenure=row.tenure,
        use=row.use,
        gia_m2=Decimal(row.gia_m2) if row.gia_m2 else None,
        vacant=None if not row.vacant else row.vacant == "true",
        running_cost_pence=row.running_cost_pence,
        lease_expiry=date.fromisoformat(row.lease_expiry) if row.lease_expiry else None,
        source=row.source,
        location_note=row.location_note,
        extras=json.loads(row.extras or "{}"),
    )


def place_assets(store: Store, place_id: str) -> list[Asset]:
    with store.sessions() as session:
        return [from_row(r) for r in stored_assets(session, place_id)]


# ---- boundaries -----------------------------------------------------------------------


@dataclass(frozen=True)
class Area:
    code: str
    name: str
    polygons: list[Polygon]


@cache
def _shipped(path: Path) -> list[Area]:
    data = json.loads(path.read_text(encoding="utf-8"))
    out = []
    for feature in data["features"]:
        properties = feature["properties"]
        polygons = files._polygons(feature["geometry"])
        out.append(Area(properties["area_code"], properties["area_name"], polygons))
    return out


def boundary(gss_codes: Sequence[str]) -> tuple[list[Area], list[Area]]:
    """The place's areas and their wards, from the boundaries totalplace ships (empty
    for a place whose boundary is not shipped: then nothing is outside it)."""
    areas: list[Area] = []
    wards: list[Area] = []
    for code in gss_codes:
        area_file = BOUNDARIES / f"{code}.geojson"
        if area_file.exists():
            areas += _shipped(area_file)
        ward_file = BOUNDARIES / f"{code}-wards.geojson"
        if ward_file.exists():
            wards += _shipped(ward_file)
    return areas, wards


def _place_boundary(store: Store, place_id: str) -> tuple[Any, list[Area], list[Area]]:
    with store.sessions() as session:
        place = place_queries.get_place(session, place_id)
        if place is None:
            raise ImportRejected([Problem("unknown-place", f"there is no place {place_id!r}")])
        codes = [c.strip() for c in place.gss_codes.split(";") if c.strip()]
    areas, wards = boundary(codes)
    return place, areas, wards


# ---- the estate, its findings and the map ----------------------------------------------


@dataclass(frozen=True)
class Filters:
    agency: str = ""
    use: str = ""
    tenure: str = ""
    vacancy: str = ""  # "vacant", "occupied" or "" for all

    def keep(self, a: Asset) -> bool:
        if self.agency and a.agency_id != self.agency:
            return False
        if self.use and a.use != self.use:
            return False
        if self.tenure and a.tenure != self.tenure:
            return False
        if self.vacancy == "vacant" and not a.vacant:
            return False
        return not (self.vacancy == "occupied" and a.vacant)


@dataclass(frozen=True)
class Marker:
    asset: Asset
    x: float
    y: float
    layer: int  # the agency's number, for its colour


@dataclass(frozen=True)
class AgencyLayer:
    agency_id: str
    name: str
    agency_type: str
    layer: int
    assets: int
    colour: str


@dataclass
class EstateView:
    place_id: str
    place_name: str
    assets: list[Asset]  # after the filters
    total: int
    agencies: list[AgencyLayer]
    uses: list[str]
    tenures: list[str]
    findings: list[Finding]
    flagged: dict[str, list[str]]  # asset id -> finding codes
    width: float = 0
    height: float = 0
    boundary_paths: list[str] = field(default_factory=list)
    ward_paths: list[tuple[str, str]] = field(default_factory=list)
    markers: list[Marker] = field(default_factory=list)
    off_map: int = 0


# Colour-blind-safe (Okabe-Ito, then GOV.UK) colours for the agencies' layers.
PALETTE = (
    "#0072b2",
    "#d55e00",
    "#009e73",
    "#e69f00",
    "#4c2c92",
    "#cc79a7",
    "#0b0c0c",
    "#56b4e9",
    "#85994b",
    "#b58840",
)


def agency_layers(store: Store, place_id: str, assets: Sequence[Asset]) -> list[AgencyLayer]:
    counts = Counter(a.agency_id for a in assets)
    with store.sessions() as session:
        agencies = {a.agency_id: a for a in place_queries.agencies(session, place_id)}
    # The agency with most assets takes the first colour, so the map's biggest layers
    # have the most distinct colours; the list is in the order of the agencies' ids.
    by_size = sorted(counts, key=lambda g: (-counts[g], g))
    out = []
    for agency_id in sorted(counts):
        n = by_size.index(agency_id)
        agency = agencies.get(agency_id)
        out.append(
            AgencyLayer(
                agency_id,
                agency.name if agency else agency_id,
                agency.agency_type if agency else "",
                n,
                counts[agency_id],
                PALETTE[n % len(PALETTE)],
            )
        )
    return out


def estate(store: Store, place_id: str, filters: Filters | None = None) -> EstateView:
    filters = filters or Filters()
    place, areas, wards = _place_boundary(store, place_id)
    everything = place_assets(store, place_id)
    polygons = [p for area in areas for p in area.polygons]
    findings = rules.quality(everything, polygons)
    flagged: dict[str, list[str]] = {}
    for f in findings:
        for asset_id in f.asset_ids:
            flagged.setdefault(asset_id, []).append(f.code)
    layers = agency_layers(store, place_id, everything)
    shown = [a for a in everything if filters.keep(a)]
    view = EstateView(
        place_id=place.place_id,
        place_name=place.name,
        assets=shown,
        total=len(everything),
        agencies=layers,
        uses=sorted({a.use for a in everything if a.use}),
        tenures=sorted({a.tenure for a in everything if a.tenure}),
        findings=findings,
        flagged=flagged,
    )
    _draw(view, areas, wards, shown, {g.agency_id: g.layer for g in layers})
    return view


def _draw(
    view: EstateView,
    areas: list[Area],
    wards: list[Area],
    shown: Sequence[Asset],
    layer: dict[str, int],
) -> None:
    """Project the boundary, the wards and the assets onto the map; assets off the
    place's map (elsewhere, or swapped) are counted, not drawn."""
    polygons = [p for area in areas for p in area.polygons]
    if not polygons:
        points = [(a.longitude, a.latitude) for a in shown if a.located and not rules.swapped(a)]
        if not points:
            return
        lons = [p[0] for p in points if p[0] is not None]
        lats = [p[1] for p in points if p[1] is not None]
        pad = 0.005
        polygons = [
            [
                [
                    (min(lons) - pad, min(lats) - pad),
                    (max(lons) + pad, min(lats) - pad),
                    (max(lons) + pad, max(lats) + pad),
                    (min(lons) - pad, max(lats) + pad),
                ]
            ]
        ]
    projection = rules.Projection.fit(polygons)
    view.width, view.height = projection.width, projection.height
    view.boundary_paths = [projection.path(p) for area in areas for p in area.polygons]
    view.ward_paths = [(w.name, " ".join(projection.path(p) for p in w.polygons)) for w in wards]
    for a in shown:
        if not a.located or rules.swapped(a):
            view.off_map += 1
            continue
        assert a.latitude is not None and a.longitude is not None
        x, y = projection.xy(a.longitude, a.latitude)
        if not projection.contains(x, y):
            view.off_map += 1
            continue
        view.markers.append(Marker(a, round(x, 1), round(y, 1), layer.get(a.agency_id, 0)))


def assets_csv(store: Store, place_id: str, filters: Filters | None = None) -> bytes:
    view = estate(store, place_id, filters)
    return files.write_assets(view.assets)


# ---- co-location ----------------------------------------------------------------------


def colocation(
    store: Store, place_id: str, within_m: float = rules.DEFAULT_WITHIN_M, as_of: date | None = None
) -> list[Pair]:
    if within_m <= 0:
        raise ValueError("the distance must be more than 0 metres")
    _, areas, _ = _place_boundary(store, place_id)
    polygons = [p for area in areas for p in area.polygons]
    return rules.colocate(place_assets(store, place_id), within_m, as_of or date.today(), polygons)


def pairs_json(store: Store, place_id: str, pairs: Sequence[Pair]) -> dict[str, Any]:
    """The co-location contract: {"pairs": [{"a": {...}, "b": {...}, "distance_m",
    "score", "why"}]}."""
    layers = agency_layers(store, place_id, place_assets(store, place_id))
    types = {g.agency_id: g.agency_type for g in layers}

    def side(a: Asset) -> dict[str, Any]:
        return {
            "asset_id": a.asset_id,
            "agency_id": a.agency_id,
            "agency_type": types.get(a.agency_id, ""),
            "name": a.name,
            "latitude": a.latitude,
            "longitude": a.longitude,
        }

    return {
        "pairs": [
            {
                "a": side(p.a),
                "b": side(p.b),
                "distance_m": round(p.distance_m, 1),
                "score": p.score,
                "why": list(p.why),
            }
            for p in pairs
        ]
    }


# ---- running costs from the count ------------------------------------------------------


@dataclass(frozen=True)
class RunningCosts:
    financial_year: str
    by_agency: list[tuple[str, int]]  # agency id, pence
    lines: int


def running_costs(store: Store, place_id: str, financial_year: str) -> RunningCosts:
    """The count's lines that say they are premises, rents or rates (in their description,
    expense type, service or procurement class), summed by agency."""
    import polars as pl

    from totalplace.count.service.counting import current_lines

    lines = current_lines(place_id, financial_year, store)
    present = lines.collect_schema().names()
    columns = [c for c in RUNNING_COST_COLUMNS if c in present]
    if not columns:
        return RunningCosts(financial_year, [], 0)
    text = pl.concat_str(
        [pl.col(c).cast(pl.String).fill_null("") for c in columns], separator=" "
    ).str.to_lowercase()
    chosen = lines.filter(text.str.contains(RUNNING_COST_PATTERN)).collect()
    sums = chosen.group_by("agency_id").agg(pl.col("amount_pence").sum())
    rows = sorted(((str(a), int(p)) for a, p in sums.iter_rows()), key=lambda r: -r[1])
    return RunningCosts(financial_year, rows, chosen.height)


def count_years(store: Store, place_id: str) -> list[str]:
    """The years the count has lines for, latest first."""
    from totalplace.count.service.counting import line_years

    return line_years(place_id, store)


# ---- the place data package ------------------------------------------------------------


def _check_record(record: dict[str, Any], file: str, number: int) -> None:
    """An asset in a place data package passes the checks of the assets file."""
    problems = ProblemList()
    row = {k: "" if v is None else str(v) for k, v in record.items()}
    pence = row.pop("running_cost_pence", "")
    cells = files._Cells(row, file, number + 1, problems)
    files.asset_from_record(cells, row.get("agency_id", ""))
    if pence:
        try:
            int(pence)
        except ValueError:
            cells.problem("not-an-integer", "running_cost_pence", f"{pence!r} is not pence")
    try:
        extras = json.loads(row.get("extras") or "{}")
        if not isinstance(extras, dict):
            raise ValueError
    except (ValueError, json.JSONDecodeError):
        cells.problem("bad-record", "extras", "extras must be a JSON object such as {}")
    problems.raise_if_any()


PLACE_DATA = TablesOfPlace(
    (
        Table(
            AssetRow,
            "assets",
            "assets.csv",
            "place-data-package.md#assets",
            check=_check_record,
            money=("running_cost_pence",),
        ),
    )
)


FINDING_TITLES = rules.FINDING_CODES


def agencies(store: Store, place_id: str) -> list[tuple[str, str]]:
    """The place's agencies (id, name), for choosing whose estate a file is."""
    with store.sessions() as session:
        return [(a.agency_id, a.name) for a in place_queries.agencies(session, place_id)]
