"""Run one benchmark step in its own process: its wall time and its own peak memory.

`os.wait4` gives the rusage of that one child, so each step's peak is its own (not the
largest of every child so far, as RUSAGE_CHILDREN would give). Linux carries a process's
peak across fork and exec, so the parent that runs the steps must itself stay small:
big inputs are made in a child of their own."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


@dataclass
class Measured:
    seconds: float  # wall time of the whole process, start-up included
    peak_mb: float  # that process's own peak resident memory
    cpu_seconds: float  # user + system time: steadier than wall time on a shared machine
    output: str

    def result(self) -> dict[str, Any]:
        """The step's own JSON (its last line of output)."""
        return dict(json.loads(self.output.strip().splitlines()[-1]))


def run(command: list[str], env_extra: dict[str, str | None] | None = None) -> Measured:
    env = {**os.environ, "PYTHONPATH": f"{ROOT / 'src'}:{ROOT}"}
    for name, value in (env_extra or {}).items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        child = subprocess.Popen(command, stdout=out, stderr=err, env=env)
        _pid, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        text, problems = out.read().decode(), err.read().decode()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{text}\n{problems}")
    return Measured(seconds, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime, text)


def python(script: Path, *args: str) -> Measured:
    return run([sys.executable, str(script), *args])


def best_of(repeats: int, command: list[str]) -> list[Measured]:
    return [run(command) for _ in range(repeats)]
