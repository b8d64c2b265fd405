"""Benchmark: importing and counting a large place, beside baselines run in the same run.

    .venv/bin/pip install -e '.[bench]'
    .venv/bin/python bench/run.py [--lines 5000000] [--agencies 40]

Steps, each in its own process so that its peak memory is its own:
- generate: a synthetic place data package (deterministic; transfers, shares, themes);
- ours import: `totalplace.import_package` (read, validate, normalise, store);
- pandas import: a plain pandas script doing the same steps;
- ours count: `totalplace.count_place` on the stored place;
- pandas count: the same rules in pandas, over the pandas-stored Parquet;
- duckdb count: DuckDB SQL straight over the CSV (the practical limit).
Nothing here is a test: timings are printed, never asserted.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import measure

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
COFOG = [
    "01.1",
    "01.3",
    "03.1",
    "03.2",
    "04.5",
    "05.1",
    "07.3",
    "07.4",
    "09.1",
    "09.2",
    "10.1",
    "10.2",
    "10.4",
    "10.6",
    "08.1",
    None,
]


def generate(folder: Path, lines: int, agencies: int) -> None:
    import numpy as np
    import polars as pl

    folder.mkdir(parents=True, exist_ok=True)
    ids = [f"agency-{n:02d}" for n in range(agencies)]
    (folder / "place.csv").write_text("place_id,name,gss_codes\nbench,Bench Place,E06000047\n")
    (folder / "populations.csv").write_text("gss_code,year,population\nE06000047,2009,512345\n")
    (folder / "agencies.csv").write_text(
        "agency_id,name,agency_type\n" + "".join(f"{a},Agency {a},other\n" for a in ids)
    )
    shared = ids[: max(1, agencies // 4)]
    (folder / "apportionment.csv").write_text(
        "agency_id,place_id,share,basis,source\n"
        + "".join(
            f"{a},bench,0.{(n * 7919) % 90 + 10:02d}3,population,synthetic\n"
            for n, a in enumerate(shared)
        )
    )
    rng = np.random.default_rng(20091)
    agency = rng.integers(0, agencies, lines)
    pence = rng.integers(-50_000, 5_000_000, lines)
    counterparty = np.where(rng.random(lines) < 0.03, rng.integers(0, agencies, lines), -1)
    counterparty = np.where(counterparty == agency, -1, counterparty)
    funded = np.where(rng.random(lines) < 0.03, rng.integers(0, agencies, lines), -1)
    frame = pl.DataFrame(
        {
            "agency_id": np.array(ids)[agency],
            "financial_year": "2009-10",
            "description": np.array([f"Service line {n}" for n in range(500)])[
                rng.integers(0, 500, lines)
            ],
            "_pence": pence,
            "cofog": pl.Series(COFOG)[rng.integers(0, len(COFOG), lines)],
            "sercop": "",
            "themes": np.array(["", "", "", "", "housing", "older people;health"])[
                rng.integers(0, 6, lines)
            ],
            "funding_source": np.where(funded >= 0, np.array(ids)[np.maximum(funded, 0)], ""),
            "counterparty_agency_id": np.where(
                counterparty >= 0, np.array(ids)[np.maximum(counterparty, 0)], ""
            ),
            "spend_type": np.where(rng.random(lines) < 0.1, "capital", "revenue"),
            "estimate": np.where(agency % 10 == 9, "true", "false"),
        }
    )
    magnitude = pl.col("_pence").abs()
    frame = frame.with_columns(
        (
            pl.when(pl.col("_pence") < 0).then(pl.lit("-")).otherwise(pl.lit(""))
            + (magnitude // 100).cast(pl.String)
            + "."
            + (magnitude % 100).cast(pl.String).str.zfill(2)
        ).alias("amount_gbp")
    ).select(
        [
            "agency_id",
            "financial_year",
            "description",
            "amount_gbp",
            "cofog",
            "sercop",
            "themes",
            "funding_source",
            "counterparty_agency_id",
            "spend_type",
            "estimate",
        ]
    )
    frame.write_csv(folder / "returns.csv")


# ---- ours -------------------------------------------------------------------------


def ours_import(folder: Path, home: Path) -> dict[str, Any]:
    from totalplace.core.config import Settings
    from totalplace.core.store.db import open_store
    from totalplace.places.service.packages import import_package

    shutil.rmtree(home, ignore_errors=True)
    store = open_store(Settings(home=home, database_url=f"sqlite:///{home / 'bench.db'}"))
    result = import_package(folder, store=store, actor="bench")
    return {"lines": result.lines}


def ours_count(home: Path) -> dict[str, Any]:
    from totalplace.core.config import Settings
    from totalplace.core.store.db import open_store
    from totalplace.count.rules.count import count
    from totalplace.count.service.counting import count_input

    store = open_store(Settings(home=home, database_url=f"sqlite:///{home / 'bench.db'}"))
    data = count_input("bench", "2009-10", store=store)
    # Compute only, like the peers: the rules over the stored Parquet, not the store's queries.
    started = time.perf_counter()
    result = count(data)
    return {
        "compute_seconds": time.perf_counter() - started,
        "total_pence": result.total_pence,
        "eliminated_pence": result.transfers_eliminated_pence,
    }


# ---- pandas -----------------------------------------------------------------------


def pandas_import(folder: Path, out: Path) -> dict[str, Any]:
    import pandas as pd

    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    agencies = set(pd.read_csv(folder / "agencies.csv", dtype=str)["agency_id"])
    df = pd.read_csv(folder / "returns.csv", dtype=str, keep_default_na=False)
    problems = 0
    problems += (~df["agency_id"].isin(agencies)).sum()
    problems += (~df["financial_year"].str.match(r"^\d{4}-\d{2}$")).sum()
    problems += (~df["amount_gbp"].str.match(r"^[+-]?\d{1,15}(\.\d{1,2})?$")).sum()
    problems += (~df["cofog"].str.match(r"^((0[1-9]|10)(\.\d(\.\d)?)?)?$")).sum()
    problems += (~df["spend_type"].isin(["revenue", "capital", ""])).sum()
    problems += (~df["estimate"].isin(["true", "false", ""])).sum()
    cp = df["counterparty_agency_id"]
    problems += ((cp != "") & ~cp.isin(agencies)).sum()
    if problems:
        raise SystemExit(f"pandas found {problems} problems")
    parts = df["amount_gbp"].str.extract(r"^([+-]?)(\d+)(?:\.(\d{1,2}))?$")
    pence = parts[1].astype("int64") * 100 + parts[2].fillna("").str.ljust(2, "0").astype("int64")
    df["amount_pence"] = pence.where(parts[0] != "-", -pence)
    df["estimate"] = df["estimate"] == "true"
    df = df.drop(columns=["amount_gbp"])
    for (agency, year), group in df.groupby(["agency_id", "financial_year"]):
        group.to_parquet(out / f"{agency}-{year}.parquet", index=False)
    return {"lines": len(df)}


def pandas_count(folder: Path, out: Path) -> dict[str, Any]:
    import pandas as pd

    df = pd.concat([pd.read_parquet(p) for p in sorted(out.glob("*.parquet"))], ignore_index=True)
    shares = pd.read_csv(folder / "apportionment.csv", dtype={"share": str})
    share = (
        df["agency_id"]
        .map(dict(zip(shares["agency_id"], shares["share"].astype(float), strict=True)))
        .fillna(1.0)
    )
    df["amount_pence"] = (df["amount_pence"] * share).round().astype("int64")
    agencies = set(pd.read_csv(folder / "agencies.csv", dtype=str)["agency_id"])
    transfer = df["counterparty_agency_id"].isin(agencies)
    kept = df[~transfer]
    total = int(kept["amount_pence"].sum())
    kept.groupby("agency_id")["amount_pence"].sum()
    kept.groupby(kept["cofog"].str[:2])["amount_pence"].sum()
    kept.groupby(kept["cofog"].str[:4])["amount_pence"].sum()
    kept.groupby("spend_type")["amount_pence"].sum()
    themed = kept[kept["themes"] != ""].assign(theme=kept["themes"].str.split(";")).explode("theme")
    themed.groupby("theme")["amount_pence"].sum()
    kept[kept["funding_source"].isin(agencies)].groupby(["funding_source", "agency_id"])[
        "amount_pence"
    ].sum()
    df[transfer].groupby(["agency_id", "counterparty_agency_id"])["amount_pence"].sum()
    return {"total_pence": total, "eliminated_pence": int(df[transfer]["amount_pence"].sum())}


# ---- duckdb -----------------------------------------------------------------------


def duckdb_count(folder: Path) -> dict[str, Any]:
    import duckdb

    con = duckdb.connect(
        config={"autoinstall_known_extensions": False, "autoload_known_extensions": False}
    )
    con.execute(
        f"""
        create temp view lines as
        select r.*, cast(round(cast(replace(amount_gbp, '.', '') as bigint)
                     * coalesce(s.share, 1)) as bigint) as pence,
               coalesce(r.counterparty_agency_id in (select agency_id from agencies), false)
                   as transfer
        from read_csv('{folder / "returns.csv"}', all_varchar=true) r
        left join (select agency_id, cast(share as double) as share
                   from read_csv('{folder / "apportionment.csv"}', all_varchar=true)) s
        using (agency_id)
    """.replace("from agencies", f"from read_csv('{folder / 'agencies.csv'}', all_varchar=true)")
    )
    con.execute("create temp table counted as select * from lines")
    total = con.execute("select sum(pence) from counted where not transfer").fetchone()
    eliminated = con.execute("select sum(pence) from counted where transfer").fetchone()
    for query in (
        "select agency_id, sum(pence) from counted where not transfer group by 1",
        "select left(cofog, 2), sum(pence) from counted where not transfer group by 1",
        "select left(cofog, 4), sum(pence) from counted where not transfer group by 1",
        "select spend_type, sum(pence) from counted where not transfer group by 1",
        "select t, sum(pence) from (select unnest(string_split(themes, ';')) t, pence "
        "from counted where not transfer and themes is not null) group by 1",
        "select funding_source, agency_id, sum(pence) from counted where not transfer "
        "group by 1, 2",
        "select agency_id, counterparty_agency_id, sum(pence) from counted where transfer "
        "group by 1, 2",
    ):
        con.execute(query).fetchall()
    assert total is not None and eliminated is not None
    return {"total_pence": int(total[0]), "eliminated_pence": int(eliminated[0])}


# ---- the fair peers: one pass over the same stored Parquet -----------------------


def _stored_files(home: Path) -> list[str]:
    return sorted(str(p) for p in (home / "lines").glob("*/*/2009-10/*.parquet"))


def _fractions(folder: Path) -> dict[str, tuple[int, int]]:
    """Each apportioned agency's share as an exact fraction, as ours reads it."""
    out = {}
    for line in (folder / "apportionment.csv").read_text().splitlines()[1:]:
        agency, _place, share = line.split(",")[:3]
        whole, _, digits = share.partition(".")
        out[agency] = (int(whole + digits), 10 ** len(digits))
    return out


def _agency_ids(folder: Path) -> list[str]:
    return [line.split(",")[0] for line in (folder / "agencies.csv").read_text().splitlines()[1:]]


GROUP_KEYS = [
    "agency_id",
    "cofog",
    "themes",
    "spend_type",
    "estimate",
    "funding_source",
    "counterparty_agency_id",
]


def _breakdowns(agg: Any) -> dict[str, Any]:
    """Every breakdown of the count from the one small aggregate (a Polars frame with
    GROUP_KEYS, `transfer`, `pence`, `first` and `last` payment dates)."""
    import polars as pl

    kept = agg.filter(~pl.col("transfer"))
    transfers = agg.filter(pl.col("transfer"))

    def by(frame: Any, *keys: Any) -> Any:
        return frame.group_by(*keys).agg(pl.col("pence").sum())

    themes = (
        by(kept.filter(pl.col("themes").is_not_null()), "themes")
        .with_columns(pl.col("themes").str.split(";").list.eval(pl.element().str.strip_chars()))
        .with_columns(pl.col("themes").list.unique())
        .explode("themes")
        .filter(pl.col("themes") != "")
    )
    return {
        "total": kept["pence"].sum(),
        "estimated": kept.filter(pl.col("estimate"))["pence"].sum(),
        "eliminated": transfers["pence"].sum(),
        "agency": by(kept, "agency_id"),
        "division": by(kept, pl.col("cofog").str.slice(0, 2)),
        "group": by(kept, pl.col("cofog").str.slice(0, 4)),
        "spend_type": by(kept, "spend_type"),
        "theme": by(themes, "themes"),
        "paid": by(transfers, "agency_id", "counterparty_agency_id"),
        "received": by(
            kept.filter(pl.col("funding_source").is_not_null()), "funding_source", "agency_id"
        ),
        "coverage": by(agg, "agency_id", "estimate"),
        "dates": agg.group_by("agency_id").agg(pl.col("first").min(), pl.col("last").max()),
    }


def duckdb_stored(folder: Path, home: Path) -> dict[str, Any]:
    """DuckDB in one pass over the stored Parquet: apportion each line (exact integers,
    half to even), aggregate once by every key a breakdown needs, derive the rest."""
    import duckdb
    import polars as pl

    con = duckdb.connect(
        config={"autoinstall_known_extensions": False, "autoload_known_extensions": False}
    )
    fractions = _fractions(folder)
    con.execute("create temp table shares (agency_id varchar, num hugeint, den hugeint)")
    con.executemany(
        "insert into shares values (?, ?, ?)", [(a, n, d) for a, (n, d) in fractions.items()]
    )
    ids = ", ".join(f"'{a}'" for a in _agency_ids(folder))
    keys = ", ".join(f"l.{k}" for k in GROUP_KEYS)
    agg = con.execute(
        f"""
        with lines as (
            select {keys}, l.payment_date, l.amount_pence::hugeint * coalesce(s.num, 1) as p,
                   coalesce(s.den, 1) as den
            from read_parquet({_stored_files(home)!r}) l left join shares s using (agency_id)
        ), rounded as (
            select *, ((p % den) + den) % den as r from lines
        )
        select {", ".join(GROUP_KEYS)},
               coalesce(counterparty_agency_id in ({ids}), false) as transfer,
               sum(((p - r) // den
                    + case when 2 * r > den or (2 * r = den and ((p - r) // den) % 2 != 0)
                      then 1 else 0 end)::bigint)::bigint as pence,
               min(payment_date) as first, max(payment_date) as last
        from rounded group by all
        """
    )
    agg = pl.from_arrow(agg.to_arrow_table())
    out = _breakdowns(agg)
    return {
        "total_pence": int(out["total"]),
        "eliminated_pence": int(out["eliminated"]),
        "groups": agg.height,
    }


def polars_stored(folder: Path, home: Path) -> dict[str, Any]:
    """Polars in one pass over the stored Parquet, the same way as `duckdb_stored`."""
    import polars as pl

    fractions = _fractions(folder)
    shares = pl.LazyFrame(
        {
            "agency_id": list(fractions),
            "num": [n for n, _ in fractions.values()],
            "den": [d for _, d in fractions.values()],
        },
        schema={"agency_id": pl.String, "num": pl.Int128, "den": pl.Int128},
    )
    lines = pl.scan_parquet(_stored_files(home)).select(*GROUP_KEYS, "payment_date", "amount_pence")
    p = pl.col("amount_pence").cast(pl.Int128) * pl.col("num").fill_null(1)
    den = pl.col("den").fill_null(1)
    q = p // den
    twice = 2 * (p - q * den)
    pence = (q + ((twice > den) | ((twice == den) & (q % 2 != 0))).cast(pl.Int128)).cast(pl.Int64)
    agg = (
        lines.join(shares, on="agency_id", how="left")
        .with_columns(
            pence.alias("pence"),
            pl.col("counterparty_agency_id")
            .is_in(_agency_ids(folder))
            .fill_null(False)
            .alias("transfer"),
        )
        .group_by(*GROUP_KEYS, "transfer")
        .agg(
            pl.col("pence").sum(),
            pl.col("payment_date").min().alias("first"),
            pl.col("payment_date").max().alias("last"),
        )
        .collect()
    )
    out = _breakdowns(agg)
    return {
        "total_pence": int(out["total"]),
        "eliminated_pence": int(out["eliminated"]),
        "groups": agg.height,
    }


def duckdb_import(folder: Path, out: Path) -> dict[str, Any]:
    """DuckDB reading, checking and writing the same Parquet (one file per agency)."""
    import duckdb

    shutil.rmtree(out, ignore_errors=True)
    con = duckdb.connect(
        config={"autoinstall_known_extensions": False, "autoload_known_extensions": False}
    )
    con.execute(
        "create temp view raw as select * from "
        f"read_csv('{folder / 'returns.csv'}', all_varchar=true)"
    )
    con.execute(
        "create temp table agencies as select agency_id from "
        f"read_csv('{folder / 'agencies.csv'}', all_varchar=true)"
    )
    con.execute(
        r"""
        create temp table checked as
        select *,
            agency_id not in (select agency_id from agencies)
            or not regexp_full_match(financial_year, '\d{4}-\d{2}')
            or not regexp_full_match(amount_gbp, '[+-]?\d{1,15}(\.\d{1,2})?')
            or not regexp_full_match(coalesce(cofog, ''), '((0[1-9]|10)(\.\d(\.\d)?)?)?')
            or coalesce(spend_type, '') not in ('revenue', 'capital', '')
            or coalesce(estimate, '') not in ('true', 'false', '')
            or (coalesce(counterparty_agency_id, '') != ''
                and counterparty_agency_id not in (select agency_id from agencies)) as bad
        from raw
        """
    )
    problems = con.execute("select count(*) from checked where bad").fetchone()
    assert problems is not None
    if problems[0]:
        raise SystemExit(f"duckdb found {problems[0]} problems")
    out.mkdir(parents=True)
    con.execute(
        f"""
        copy (
            select * exclude (amount_gbp, bad, estimate),
                estimate = 'true' as estimate,
                (case when starts_with(amount_gbp, '-') then -1 else 1 end)
                * (cast(split_part(ltrim(amount_gbp, '+-'), '.', 1) as bigint) * 100
                   + cast(rpad(coalesce(nullif(split_part(amount_gbp, '.', 2), ''), '0'),
                               2, '0') as bigint))
                  as amount_pence
            from checked
        ) to '{out}' (format parquet, compression zstd, partition_by (agency_id, financial_year))
        """
    )
    lines = con.execute("select count(*) from checked").fetchone()
    assert lines is not None
    return {"lines": int(lines[0])}


# ---- the runner -------------------------------------------------------------------


STEPS = {
    "ours-import": lambda a: ours_import(Path(a.folder), Path(a.home)),
    "duckdb-import": lambda a: duckdb_import(
        Path(a.folder), Path(a.pandas_out).with_name("duckdb")
    ),
    "pandas-import": lambda a: pandas_import(Path(a.folder), Path(a.pandas_out)),
    "ours-count": lambda a: ours_count(Path(a.home)),
    "duckdb-count": lambda a: duckdb_stored(Path(a.folder), Path(a.home)),
    "polars-count": lambda a: polars_stored(Path(a.folder), Path(a.home)),
    "pandas-count": lambda a: pandas_count(Path(a.folder), Path(a.pandas_out)),
    "duckdb-count-csv": lambda a: duckdb_count(Path(a.folder)),
}
ORDER = list(STEPS)
# Each step's fair peer: the same work over the same input.
PAIRS = {
    "ours-import": "duckdb-import",
    "pandas-import": "duckdb-import",
    "ours-count": "polars-count",
    "duckdb-count": "polars-count",
    "pandas-count": "polars-count",
}
NOTES = {
    "duckdb-import": "read, check and write the same Parquet",
    "duckdb-count": "one pass over the stored Parquet",
    "polars-count": "one pass over the stored Parquet",
    "duckdb-count-csv": "over the raw CSV (parses it: not a fair peer)",
}


def run_step(name: str, folder: Path) -> dict[str, Any]:
    """Run one step in a child process; its wall time and peak memory are its own."""
    measured = measure.python(
        Path(__file__),
        "--step",
        name,
        "--folder",
        str(folder),
        "--home",
        str(OUT / "home"),
        "--pandas-out",
        str(OUT / "pandas"),
    )
    result = measured.result()
    result["seconds"] = measured.seconds
    result["peak_mb"] = measured.peak_mb
    result.setdefault("compute_seconds", result["work_seconds"])
    return result


def count_rows(
    lines: int, agencies: int, repeats: int, steps: list[str] = ORDER
) -> list[dict[str, Any]]:
    """Import and count: every step `repeats` times (min and median), each beside its peer."""
    from rich.console import Console

    console = Console(stderr=True)
    folder = OUT / f"place-{lines}-{agencies}"
    with console.status(f"Generating {lines:,} lines over {agencies} agencies"):
        if not (folder / "returns.csv").exists():
            # In a child: a forked step inherits its parent's peak memory (ru_maxrss
            # survives fork and exec), so the parent must stay small.
            measure.python(Path(__file__), "--generate", str(folder), str(lines), str(agencies))
    runs: dict[str, list[dict[str, Any]]] = {}
    for name in [n for n in ORDER if n in steps]:
        # Ours-import stores the place every count reads: once is enough before the counts.
        times = 1 if name.endswith("import") and repeats > 1 and name != "ours-import" else repeats
        runs[name] = []
        for attempt in range(times):
            with console.status(f"Running {name} ({attempt + 1} of {times})"):
                runs[name].append(run_step(name, folder))
    rows = []
    for name, results in runs.items():
        compute = sorted(r["compute_seconds"] for r in results)
        peer = PAIRS.get(name) if PAIRS.get(name) in runs else None
        row: dict[str, Any] = {
            "work": f"{name}, {lines:,} lines",
            "note": NOTES.get(name, ""),
            "seconds_min": compute[0],
            "seconds_median": statistics.median(compute),
            "peak_mb": max(r["peak_mb"] for r in results),
            "total_pence": results[0].get("total_pence"),
        }
        if peer:
            peer_compute = sorted(r["compute_seconds"] for r in runs[peer])
            row["peer"] = peer
            row["ratio_min"] = compute[0] / peer_compute[0]
            row["ratio_median"] = statistics.median(compute) / statistics.median(peer_compute)
        rows.append(row)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--lines", type=int, default=5_000_000)
    parser.add_argument("--agencies", type=int, default=40)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="200,000 lines, one run each")
    parser.add_argument(
        "--only", nargs="+", choices=ORDER, help="run these steps only (ours-import first)"
    )
    parser.add_argument("--step", choices=sorted(STEPS))
    parser.add_argument("--generate", nargs=3, metavar=("FOLDER", "LINES", "AGENCIES"))
    parser.add_argument("--folder")
    parser.add_argument("--home")
    parser.add_argument("--pandas-out")
    parser.add_argument("--json-out", help="also write the rows here (JSON), for bench/all.py")
    args = parser.parse_args()
    if args.generate:
        generate(Path(args.generate[0]), int(args.generate[1]), int(args.generate[2]))
        print("{}")
        return
    if args.step:
        started = time.perf_counter()
        result = STEPS[args.step](args)
        result["work_seconds"] = time.perf_counter() - started
        print(json.dumps(result))
        return
    from rich.console import Console
    from rich.table import Table

    lines, repeats = (200_000, 1) if args.quick else (args.lines, args.repeats)
    rows = count_rows(lines, args.agencies, repeats, args.only or ORDER)
    table = Table(
        "Step",
        "Compute s (min)",
        "median",
        "Peak MB",
        "÷ peer (min-median)",
        "Note",
        title="Import and count (each step in its own process; compute time, min and median)",
    )
    for row in rows:
        ratio = (
            f"{row['ratio_min']:.2f}-{row['ratio_median']:.2f}x {row['peer']}"
            if "peer" in row
            else ""
        )
        table.add_row(
            row["work"],
            f"{row['seconds_min']:.2f}",
            f"{row['seconds_median']:.2f}",
            f"{row['peak_mb']:,.0f}",
            ratio,
            row["note"],
        )
    console = Console(width=160)
    console.print(table)
    totals = {r["work"]: r["total_pence"] for r in rows if r.get("total_pence") is not None}
    console.print(f"Totals (pence): {totals}")
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(rows))


if __name__ == "__main__":
    main()
