"""Benchmark: peak memory and time of importing one heavy return (a 2 M-line spend CSV).

    .venv/bin/python bench/heavy_return.py [--lines 2000000]

Generates a Transparency Code ledger shaped like Manchester's (7 columns, ISO dates,
ten-digit transaction numbers, `£`-free decimals) under `bench/out/`, then runs
`totalplace.import_return` on it in a child process of its own, so the peak resident
memory printed (the child's `ru_maxrss`) is the import's alone. The target: under
1.5 GB for 2,000,000 lines. Nothing here is a test: figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
HANDMADE = HERE.parent / "tests" / "data" / "handmade"
SERVICES = [
    "Adult Social Care",
    "Manchester Leisure",
    "Childrens & Education Services",
    "Chief Executives",
    "Highways Services",
    "Housing Revenue Account",
]
EXPENSES = ["Agency staff provision", "Professional fees", "Payments to Sub-Contractors"]
SUPPLIERS = [f"Supplier {n:04d} Limited" for n in range(3000)]


def generate(path: Path, lines: int) -> None:
    """Deterministic, written in blocks so that generating costs little memory."""
    chooser = random.Random(2009)
    start = date(2021, 4, 1)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as handle:
        handle.write(
            "Body Name,Service Area,Expenses Type,Invoice Payment Date,Transaction Number,"
            "Net Amount,Supplier Name\n"
        )
        block = []
        for number in range(lines):
            day = start + timedelta(days=chooser.randrange(365))
            pence = chooser.randrange(50_000, 50_000_000)
            block.append(
                f"Manchester City Council,{chooser.choice(SERVICES)},{chooser.choice(EXPENSES)},"
                f"{day.isoformat()},{5100000000 + number},{pence // 100}.{pence % 100:02d},"
                f"{chooser.choice(SUPPLIERS)}\n"
            )
            if len(block) == 100_000:
                handle.write("".join(block))
                block = []
        handle.write("".join(block))


def import_step(path: Path, home: Path) -> dict[str, Any]:
    from totalplace.core.config import Settings
    from totalplace.core.store.db import open_store
    from totalplace.count.service.returns import import_return
    from totalplace.places.service.packages import import_package

    shutil.rmtree(home, ignore_errors=True)
    store = open_store(Settings(home=home, database_url=f"sqlite:///{home / 'bench.db'}"))
    import_package(HANDMADE, store=store, actor="bench")
    started = time.perf_counter()
    result = import_return("council", [path], "2021-22", store=store, actor="bench")
    assert result is not None
    return {
        "lines": result.line_count,
        "total_pence": result.total_pence,
        "import_seconds": time.perf_counter() - started,
    }


def run_child(path: Path) -> dict[str, Any]:
    command = [sys.executable, __file__, "--step", str(path), "--home", str(OUT / "heavy-home")]
    done = subprocess.run(
        command,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONPATH": str(HERE.parent / "src")},
    )
    if done.returncode != 0:
        raise SystemExit(f"the import failed:\n{done.stdout}\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--lines", type=int, default=2_000_000)
    parser.add_argument("--step", help="(internal) import this file and print JSON")
    parser.add_argument("--home")
    args = parser.parse_args()
    if args.step:
        result = import_step(Path(args.step), Path(args.home))
        result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(result))
        return
    path = OUT / f"heavy-return-{args.lines}.csv"
    if not path.exists():
        print(f"Generating {args.lines:,} lines into {path}")
        generate(path, args.lines)
    print(f"{path.name}: {path.stat().st_size / 1e6:,.0f} MB, {args.lines:,} lines")
    result = run_child(path)
    print(
        f"import_return: {result['lines']:,} lines in {result['import_seconds']:.1f} s, "
        f"peak memory {result['peak_mb']:,.0f} MB (target: under 1,500 MB)"
    )


if __name__ == "__main__":
    main()
