"""Helpers shared by tests."""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

DATA = Path(__file__).parent / "data"
HANDMADE = DATA / "handmade"


def cli(
    *args: str, env: dict[str, str] | None = None, check: bool = True
) -> subprocess.CompletedProcess[str]:
    """Run the real `totalplace` command in a child process."""
    result = subprocess.run(
        [sys.executable, "-m", "totalplace.core.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if check and result.returncode != 0:
        raise AssertionError(
            f"totalplace {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
        )
    return result


def exact_json(text: str) -> Any:
    """JSON with numbers as Decimals, to compare money to the penny."""
    return json.loads(text, parse_float=Decimal)


def by_key(rows: list[dict[str, Any]], key: str) -> dict[Any, Any]:
    return {row[key]: row["gbp"] for row in rows}
