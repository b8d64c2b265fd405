"""The national count: `totalplace national count --json` over all 309 English districts,
as a user runs it (a fresh process each time), beside a fair baseline measured in the
same run: a process that only reads the same source files (RS, CRA, populations, the
lists) with the same readers and does no counting.

    .venv/bin/python bench/national.py [--repeats 3]

Prints the times (min and median) and the ratio; asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

BASELINE = """
from totalplace.national import files
files.read_rs()
files.read_cra("2017-18")
files.read_mid_year(files.DATA / files.POPULATION_2021_GEOGRAPHY, 2017)
files.read_mid_year(files.DATA / files.POPULATION_REBASED, 2017)
files.read_single_year_of_age()
files.read_codes(); files.read_counties(); files.read_joint_bodies()
"""


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    python = sys.executable
    steps = {
        "read the sources only (baseline)": [python, "-c", BASELINE],
        "totalplace national count --json": [
            python,
            "-m",
            "totalplace.core.cli",
            "national",
            "count",
            "--year",
            "2017-18",
            "--json",
        ],
        "... --basis age --json": [
            python,
            "-m",
            "totalplace.core.cli",
            "national",
            "count",
            "--basis",
            "age",
            "--json",
        ],
    }
    results = {}
    for name, command in steps.items():
        runs = [timed(command) for _ in range(args.repeats)]
        results[name] = runs
        print(f"{name:40s} min {min(runs):6.2f} s  median {statistics.median(runs):6.2f} s")
    base = min(results["read the sources only (baseline)"])
    ours = min(results["totalplace national count --json"])
    print(f"count / baseline: {ours / base:.2f}x ({ours - base:.2f} s of counting, 309 districts)")


if __name__ == "__main__":
    main()
