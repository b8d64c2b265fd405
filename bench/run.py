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
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

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
    from totalplace.count.service.counting import count_place

    store = open_store(Settings(home=home, database_url=f"sqlite:///{home / 'bench.db'}"))
    result = count_place("bench", "2009-10", store=store)
    return {
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


# ---- the runner -------------------------------------------------------------------


STEPS = {
    "ours-import": lambda a: ours_import(Path(a.folder), Path(a.home)),
    "ours-count": lambda a: ours_count(Path(a.home)),
    "pandas-import": lambda a: pandas_import(Path(a.folder), Path(a.pandas_out)),
    "pandas-count": lambda a: pandas_count(Path(a.folder), Path(a.pandas_out)),
    "duckdb-count": lambda a: duckdb_count(Path(a.folder)),
}


def run_step(name: str, folder: Path) -> dict[str, Any]:
    """Run one step in a child process; its wall time and peak memory are its own."""
    command = [
        sys.executable,
        __file__,
        "--step",
        name,
        "--folder",
        str(folder),
        "--home",
        str(OUT / "home"),
        "--pandas-out",
        str(OUT / "pandas"),
    ]
    started = time.perf_counter()
    done = subprocess.run(
        command,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONPATH": str(HERE.parent / "src")},
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{name} failed:\n{done.stdout}\n{done.stderr}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["seconds"] = seconds
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--lines", type=int, default=5_000_000)
    parser.add_argument("--agencies", type=int, default=40)
    parser.add_argument("--step", choices=sorted(STEPS))
    parser.add_argument("--folder")
    parser.add_argument("--home")
    parser.add_argument("--pandas-out")
    args = parser.parse_args()
    if args.step:
        started = time.perf_counter()
        result = STEPS[args.step](args)
        result["work_seconds"] = time.perf_counter() - started
        result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(result))
        return

    from rich.console import Console
    from rich.table import Table

    console = Console()
    folder = OUT / f"place-{args.lines}-{args.agencies}"
    with console.status(f"Generating {args.lines:,} lines over {args.agencies} agencies"):
        if not (folder / "returns.csv").exists():
            generate(folder, args.lines, args.agencies)
    size = (folder / "returns.csv").stat().st_size / 1e6
    console.print(
        f"Synthetic place: {args.lines:,} lines, {args.agencies} agencies, "
        f"returns.csv {size:,.0f} MB"
    )
    results: dict[str, dict[str, Any]] = {}
    for name in ("ours-import", "pandas-import", "ours-count", "pandas-count", "duckdb-count"):
        with console.status(f"Running {name}"):
            results[name] = run_step(name, folder)
        console.print(
            f"  {name}: {results[name]['work_seconds']:.2f} s of work, "
            f"{results[name]['seconds']:.2f} s with start-up, "
            f"peak {results[name]['peak_mb']:,.0f} MB"
        )
    table = Table(
        "Step",
        "Work s",
        "With start-up s",
        "Lines/s",
        "Peak MB",
        "Ratio",
        title="Import and count (each step in its own process; ratios on work time)",
    )
    pairs = {
        "ours-import": "pandas-import",
        "ours-count": "duckdb-count",
        "pandas-count": "duckdb-count",
    }
    for name, result in results.items():
        baseline = pairs.get(name)
        ratio = ""
        if baseline:
            factor = results[baseline]["work_seconds"] / result["work_seconds"]
            ratio = f"{factor:.2f}x the speed of {baseline}"
        table.add_row(
            name,
            f"{result['work_seconds']:.2f}",
            f"{result['seconds']:.2f}",
            f"{args.lines / result['work_seconds']:,.0f}",
            f"{result['peak_mb']:,.0f}",
            ratio,
        )
    console.print(table)
    totals = {n: r.get("total_pence") for n, r in results.items() if "total_pence" in r}
    console.print(f"Totals (pence): {totals}")
    console.print(
        "Ours rounds each apportioned line half to even in integers; pandas and "
        "DuckDB round binary floats, so their totals may differ by a few pence."
    )


if __name__ == "__main__":
    main()
