"""Benchmark: the nucleolus, the Shapley value and the core check for 20 agencies,
beside coopgame-py (Rust) in the same run, each step in its own process.

    .venv/bin/pip install -e '.[bench]'
    .venv/bin/python bench/games.py [--agencies 20] [--repeats 3]

Two games of 2^20 - 1 coalitions, written as game files (docs/formats/game.md):
- convex: v(S) = (sum of weights in S)^1.1; the core is not empty, so the nucleolus and
  prenucleolus coincide and coopgame's `nucleolus` is a fair peer;
- noisy: the same plus noise; the core is empty, so the rule must prove it by
  linear programming. Ours is (as it always was) the prenucleolus, no share bounded by
  what an agency gets alone: its peer is coopgame's `prenucleolus`.
Steps: ours from the CLI (`totalplace allocate --json`, the whole process), ours in
process (the rule alone, from a read game), coopgame (the rule alone, from the values
array). Timings are printed, never asserted.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from measure import Measured, python, run

HERE = Path(__file__).resolve().parent
OUT = HERE / "out" / "games"


def values_of(kind: str, n: int) -> np.ndarray:
    rng = np.random.default_rng(20)
    weights = rng.uniform(1, 10, n)
    masks = np.arange(1 << n)
    totals = np.zeros(1 << n)
    for i in range(n):
        totals += ((masks >> i) & 1) * weights[i]
    worth = totals**1.1
    if kind == "noisy":
        worth = worth + rng.normal(0, 5, 1 << n)
    worth[0] = 0.0
    return worth


def write_game(kind: str, n: int) -> Path:
    path = OUT / f"{kind}-{n}.json"
    if path.exists():
        return path
    OUT.mkdir(parents=True, exist_ok=True)
    worth = values_of(kind, n)
    names = [f"agency{i:02d}" for i in range(n)]
    keys = ["+".join(names[i] for i in range(n) if m >> i & 1) for m in range(1, 1 << n)]
    path.write_text(
        json.dumps({"players": names, "values": dict(zip(keys, worth[1:].tolist(), strict=True))})
    )
    np.save(OUT / f"{kind}-{n}.npy", worth)
    return path


# ---- steps, each run in a child process -------------------------------------------


def step_ours(kind: str, n: int, rule: str) -> dict[str, Any]:
    from totalplace.sharing.files.games import read_game
    from totalplace.sharing.rules import allocation

    game = read_game(OUT / f"{kind}-{n}.json")
    allocation.core_is_empty(allocation.game_from_masks(["a", "b"], [3], [1.0]))  # SciPy in
    started, cpu = time.perf_counter(), time.process_time()
    if rule == "core":
        result: Any = allocation.core_is_empty(game)
    else:
        result = getattr(allocation, rule)(game).tolist()
    return {
        "work_seconds": time.perf_counter() - started,
        "cpu_seconds": time.process_time() - cpu,
        "result": result,
    }


def step_coopgame(kind: str, n: int, rule: str) -> dict[str, Any]:
    import coopgame

    game = coopgame.Game(np.load(OUT / f"{kind}-{n}.npy")[1:].tolist())
    started, cpu = time.perf_counter(), time.process_time()
    if rule == "core":
        found = coopgame.least_core(game)
        result: Any = found
    elif rule == "shapley":
        result = list(coopgame.shapley(game))
    else:
        result = coopgame.__dict__[rule](game)["allocation"]
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    if rule == "core":
        result = {k: v for k, v in found.items() if not isinstance(v, list)}
    return {"work_seconds": seconds, "cpu_seconds": cpu, "result": result}


def cli(kind: str, n: int, method: str) -> Measured:
    script = Path(sys.executable).parent / "totalplace"
    return run(
        [str(script), "allocate", str(OUT / f"{kind}-{n}.json"), "--method", method, "--json"]
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--agencies", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="16 agencies, one run each")
    parser.add_argument("--step", nargs=4, metavar=("WHO", "KIND", "N", "RULE"))
    parser.add_argument("--write", nargs=2, metavar=("KIND", "N"))
    parser.add_argument("--json-out", help="also write the rows here (JSON), for bench/all.py")
    args = parser.parse_args()
    if args.write:
        write_game(args.write[0], int(args.write[1]))
        print("{}")
        return
    if args.step:
        who, kind, n, rule = args.step
        work = step_ours if who == "ours" else step_coopgame
        print(json.dumps(work(kind, int(n), rule)))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(
        "Work",
        "Ours s (min, median)",
        "Ours MB",
        "Peer",
        "Peer s (min, median)",
        "Ours ÷ peer (min, median)",
        "Check",
        title="Games (each step in its own process)",
    )
    found = rows(16 if args.quick else args.agencies, 1 if args.quick else args.repeats)
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(found))
    for row in found:
        ours = sorted(row["ours_seconds"])
        cells = [
            row["work"],
            f"{ours[0]:.2f}, {statistics.median(ours):.2f}",
            f"{row['ours_peak_mb']:,.0f}",
        ]
        if row["peer"]:
            peer = sorted(row["peer_seconds"])
            cells += [
                row["peer"],
                f"{peer[0]:.2f}, {statistics.median(peer):.2f}",
                f"{ours[0] / peer[0]:.2f}, {statistics.median(ours) / statistics.median(peer):.2f}",
                f"{row['agreement']}; CPU min ours {row['ours_cpu']:.2f} s, peer "
                f"{row['peer_cpu']:.2f} s",
            ]
        else:
            cpu = sorted(row["ours_cpu_seconds"])
            cells += ["", "", "", f"CPU {cpu[0]:.2f} s; core empty: {row['core_empty']}"]
        table.add_row(*cells)
    Console(width=180).print(table)


def rows(n: int, repeats: int) -> list[dict[str, Any]]:
    """Every comparison, each a row: ours and the peer, min and median of `repeats`."""
    from rich.console import Console

    console = Console(stderr=True)
    for kind in ("convex", "noisy"):
        with console.status(f"Writing the {kind} game of {n} agencies"):
            # In a child, so that this process stays small: a forked step inherits its
            # parent's peak memory (ru_maxrss survives fork and exec).
            python(Path(__file__), "--write", kind, str(n))
    plan = [
        ("nucleolus, convex (core not empty)", "convex", "nucleolus", "nucleolus"),
        ("nucleolus, noisy (core empty)", "noisy", "nucleolus", "prenucleolus"),
        ("Shapley value", "noisy", "shapley", "shapley"),
        ("core check (least core)", "noisy", "core", "core"),
    ]
    out: list[dict[str, Any]] = []
    for title, kind, ours_rule, peer_rule in plan:
        with console.status(f"{title}: ours"):
            ours = [
                python(Path(__file__), "--step", "ours", kind, str(n), ours_rule)
                for _ in range(repeats)
            ]
        with console.status(f"{title}: coopgame-py"):
            peer = [
                python(Path(__file__), "--step", "coopgame", kind, str(n), peer_rule)
                for _ in range(repeats)
            ]
        agree = _agree(ours[0].result()["result"], peer[0].result()["result"])
        out.append(
            _row(
                f"{title}, {n} agencies, compute only",
                ours,
                f"coopgame-py {peer_rule}",
                peer,
                agree,
            )
        )
    for kind, method in (("convex", "nucleolus"), ("noisy", "nucleolus"), ("noisy", "shapley")):
        with console.status(f"{method} from the CLI, {kind}"):
            calls = [cli(kind, n, method) for _ in range(repeats)]
        out.append(
            {
                "work": f"{method} from the CLI ({kind}), {n} agencies, with its core check",
                "ours_seconds": [c.seconds for c in calls],
                "ours_cpu_seconds": [c.cpu_seconds for c in calls],
                "ours_peak_mb": max(c.peak_mb for c in calls),
                "peer": "",
                "core_empty": json.loads(calls[0].output)["core_empty"],
            }
        )
    return out


def _agree(ours: Any, peer: Any) -> str:
    if isinstance(ours, bool):
        return f"core empty: ours {ours}, least core {peer}"
    gap = float(np.abs(np.array(ours) - np.array(peer)).max())
    return f"largest difference in shares {gap:.1e}"


def _row(
    work: str, ours: list[Measured], peer_name: str, peer: list[Measured], agree: str
) -> dict[str, Any]:
    return {
        "work": work,
        "ours_seconds": [m.result()["work_seconds"] for m in ours],
        "ours_peak_mb": max(m.peak_mb for m in ours),
        "peer": peer_name,
        "peer_seconds": [m.result()["work_seconds"] for m in peer],
        "peer_peak_mb": max(m.peak_mb for m in peer),
        "ours_cpu": min(m.result()["cpu_seconds"] for m in ours),
        "peer_cpu": min(m.result()["cpu_seconds"] for m in peer),
        "agreement": agree,
    }


if __name__ == "__main__":
    main()
