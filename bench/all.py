"""Every benchmark in one run, each beside its fair peer:

    .venv/bin/pip install -e '.[bench]'
    .venv/bin/python bench/all.py [--quick]

- import and count (bench/run.py): ours against DuckDB and Polars in one pass over the
  same stored Parquet, and DuckDB reading, checking and writing the same Parquet;
- games (bench/games.py): nucleolus, Shapley value and core check for 20 agencies
  against coopgame-py, and from the CLI;
- the cohort model (bench/statemodel.py): ours against batched NumPy;
- a CLI call: `totalplace model run` of the HIV example, whole process.
Each step runs in its own process, so each peak memory is its own.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import measure  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="small sizes, one run each")
    args = parser.parse_args()
    quick = ["--quick"] if args.quick else []
    for script in ("run.py", "games.py", "statemodel.py"):
        print(f"\n== bench/{script} {' '.join(quick)}", flush=True)
        subprocess.run([sys.executable, str(HERE / script), *quick], check=True)
    print("\n== a CLI call: totalplace model run (HIV example), whole process", flush=True)
    model = HERE.parent / "tests" / "data" / "models" / "hiv_chancellor_1997.json"
    script = Path(sys.executable).parent / "totalplace"
    calls = [measure.run([str(script), "model", "run", str(model)]) for _ in range(5)]
    wall = sorted(c.seconds for c in calls)
    cpu = sorted(c.cpu_seconds for c in calls)
    print(
        f"wall min {wall[0]:.2f} s, median {statistics.median(wall):.2f} s; CPU min "
        f"{cpu[0]:.2f} s, median {statistics.median(cpu):.2f} s; peak "
        f"{max(c.peak_mb for c in calls):,.0f} MB (target: under 0.4 s)"
    )


if __name__ == "__main__":
    main()
