"""Benchmark: the web workspace under many signed-in people, on PostgreSQL.

    .venv/bin/python bench/web.py                      # 50 sessions for 60 s
    .venv/bin/python bench/web.py --sessions 10 --seconds 15

Sets up a fresh schema in PostgreSQL (DATABASE_URL, default the local test server) with
the demo place plus a 1,000,000-line return, starts `totalplace serve` on loopback, then:

1. N signed-in sessions for the given time, each asking in turn for the live count, the
   published count and a static asset from the same server; p50/p95/p99 and errors of
   each, side by side.
2. 5 simultaneous uploads of a return for one agency, then 5 simultaneous publishes:
   every upload must become a version, the publications numbered without gaps, 0 errors.

Everything is bounded in time and talks to 127.0.0.1 only. Figures are printed, never
asserted; the schema is dropped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx2 as httpx
import polars as pl
from rich.console import Console
from rich.table import Table
from sqlalchemy import create_engine, text

from totalplace.core.config import Settings
from totalplace.core.store.db import open_store
from totalplace.count import tables as count_tables
from totalplace.demo.service import DEMO_LEAD, MAIN_YEAR, PLACE_ID, prepare_workspace
from totalplace.places.service.packages import write_submissions

POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
BIG_AGENCY_LINES = 1_000_000
console = Console()


@dataclass
class Timings:
    seconds: list[float] = field(default_factory=list)
    errors: int = 0
    first_error: str = ""

    def row(self, name: str) -> list[str]:
        if not self.seconds:
            return [name, "0", "-", "-", "-", str(self.errors)]
        ordered = sorted(self.seconds)

        def at(share: float) -> str:
            return f"{ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000:,.0f}"

        return [
            name,
            f"{len(ordered):,}",
            f"{statistics.median(ordered) * 1000:,.0f}",
            at(0.95),
            at(0.99),
            str(self.errors),
        ]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def schema_url(base: str, schema: str) -> str:
    separator = "&" if "?" in base else "?"
    return f"{base}{separator}options=-csearch_path%3D{schema}"


def add_big_return(url: str, home: Path, size: int) -> tuple[str, str]:
    """The demo place, plus a 1 M-line version of its biggest agency's return, current."""
    store = open_store(Settings(home=home, database_url=url))
    started = time.perf_counter()
    _email, password = prepare_workspace(store)
    console.print(f"Demo place ready in {time.perf_counter() - started:.1f} s")
    with store.sessions() as session:
        current = count_tables.current_submissions(session, PLACE_ID, MAIN_YEAR)
    biggest = max(current, key=lambda s: s.line_count)
    lines = store.lines.read(biggest.lines_file)
    big = pl.concat([lines] * (size // lines.height + 1)).head(size)
    started = time.perf_counter()
    written = write_submissions(
        store,
        PLACE_ID,
        big,
        kind="return",
        source_files=[{"name": "bench-1m-lines.csv"}],
        actor="bench",
        mapping={},
    )
    with store.locked(f"submissions:{PLACE_ID}:{biggest.agency_id}:{MAIN_YEAR}", "") as session:
        version = count_tables.next_version(session, PLACE_ID, biggest.agency_id, MAIN_YEAR)
        count_tables.supersede(session, PLACE_ID, biggest.agency_id, MAIN_YEAR)
        for submission in written:
            submission.version = version
            session.add(submission)
    console.print(
        f"Stored a {big.height:,}-line return for {biggest.agency_id} "
        f"in {time.perf_counter() - started:.1f} s"
    )
    store.close()
    return biggest.agency_id, password


def start_server(url: str, home: Path, workers: int) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {**os.environ, "DATABASE_URL": url, "TOTALPLACE_HOME": str(home)}
    command = [sys.executable, "-m", "totalplace.core.cli", "serve", "--port", str(port)]
    command += ["--insecure-cookies", "--workers", str(workers)]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    # Generous: on a busy shared machine each worker takes a while to import.
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return process, base
        except httpx.TransportError:
            time.sleep(0.3)
    process.kill()
    raise SystemExit("the server did not start within 600 s")


async def csrf(client: httpx.AsyncClient, path: str) -> str:
    page = await client.get(path)
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    if not found:
        raise RuntimeError(f"no form on {path}: {page.status_code}")
    return found.group(1)


async def sign_in(base: str, password: str) -> httpx.AsyncClient:
    client = httpx.AsyncClient(base_url=base, timeout=120)
    data = {"email": DEMO_LEAD, "password": password, "csrf": await csrf(client, "/login")}
    answer = await client.post("/login", data=data)
    if answer.status_code != 303:
        raise RuntimeError(f"sign-in failed: {answer.status_code}")
    return client


async def timed(client: httpx.AsyncClient, path: str, into: Timings) -> None:
    started = time.perf_counter()
    try:
        answer = await client.get(path)
        if answer.status_code != 200:
            into.errors += 1
            into.first_error = into.first_error or f"{path}: HTTP {answer.status_code}"
            return
        await answer.aread()
    except httpx.HTTPError as exc:
        into.errors += 1
        into.first_error = into.first_error or f"{path}: {type(exc).__name__}"
        return
    into.seconds.append(time.perf_counter() - started)


async def load(base: str, password: str, sessions: int, seconds: float) -> dict[str, Timings]:
    # Signing in is not what is measured: a few at a time (each hashes a password).
    gate = asyncio.Semaphore(4)

    async def one() -> httpx.AsyncClient:
        async with gate:
            return await sign_in(base, password)

    clients = await asyncio.gather(*(one() for _ in range(sessions)))
    first = clients[0]
    published = (await first.get(f"/api/places/{PLACE_ID}/publications")).json()
    version = max(p["version"] for p in published if p["financial_year"] == MAIN_YEAR)
    paths = {
        "live count page": f"/places/{PLACE_ID}/count/{MAIN_YEAR}",
        "published count page": f"/places/{PLACE_ID}/publications/{MAIN_YEAR}/{version}",
        "live count (API)": f"/api/places/{PLACE_ID}/count/{MAIN_YEAR}",
        "published count (API)": f"/api/places/{PLACE_ID}/publications/{MAIN_YEAR}/{version}",
        "static asset": "/static/build/totalplace.css",
    }
    results = {name: Timings() for name in paths}
    cold = Timings()
    await timed(first, paths["live count (API)"], cold)
    console.print(f"First live count (made, not kept yet): {cold.seconds[0] * 1000:,.0f} ms")
    stop = time.monotonic() + seconds

    async def person(client: httpx.AsyncClient) -> None:
        while time.monotonic() < stop:
            for name, path in paths.items():
                await timed(client, path, results[name])

    # Bounded: every person stops asking at `stop`; one answer may still be awaited.
    await asyncio.wait_for(asyncio.gather(*(person(c) for c in clients)), timeout=seconds + 180)
    for client in clients:
        await client.aclose()
    return results


async def upload_one(client: httpx.AsyncClient, agency: str, n: int) -> int:
    """Upload, check columns, import (a job), submit and accept; the version made."""
    page = f"/places/{PLACE_ID}/agencies/{agency}/upload"
    content = f"Service,Amount\nLibraries,{1000 + n}.00\nParks,{2000 + n}.00\n".encode()
    answer = await client.post(
        page,
        data={"csrf": await csrf(client, page), "year": MAIN_YEAR},
        files={"files": (f"bench-{n}.csv", content, "text/csv")},
    )
    preview = answer.headers["location"]
    mapping = {"map:0:amount_gbp": "Amount", "map:0:service": "Service", "thousands": "auto"}
    answer = await client.post(preview, data={"csrf": await csrf(client, preview), **mapping})
    job = answer.headers["location"]
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        polled = await client.get(job, headers={"HX-Request": "true"})
        if polled.headers.get("HX-Redirect"):
            break
        await asyncio.sleep(0.2)
    done = await client.get(job)
    if done.status_code != 303:
        raise RuntimeError(f"import {n} ended with HTTP {done.status_code}")
    submission = int(done.headers["location"].rsplit("/", 1)[1])
    token = (await client.get("/api/session")).json()["csrf_token"]
    headers = {"X-CSRF-Token": token}
    api = f"/api/places/{PLACE_ID}/returns/{submission}"
    for step in ("submit", "accept"):
        moved = await client.post(f"{api}/{step}", headers=headers)
        if moved.status_code != 200:
            raise RuntimeError(f"{step} of upload {n}: HTTP {moved.status_code} {moved.text}")
    return submission


async def publish_one(client: httpx.AsyncClient) -> int:
    token = (await client.get("/api/session")).json()["csrf_token"]
    answer = await client.post(
        f"/api/places/{PLACE_ID}/count/{MAIN_YEAR}/publish", headers={"X-CSRF-Token": token}
    )
    if answer.status_code != 200:
        raise RuntimeError(f"publish: HTTP {answer.status_code} {answer.text}")
    return int(answer.json()["version"])


async def writes(base: str, password: str, agency: str, url: str) -> list[str]:
    clients = await asyncio.gather(*(sign_in(base, password) for _ in range(5)))
    notes = []
    started = time.perf_counter()
    uploads = await asyncio.gather(
        *(upload_one(c, agency, n) for n, c in enumerate(clients)), return_exceptions=True
    )
    upload_errors = [u for u in uploads if isinstance(u, BaseException)]
    notes.append(
        f"5 simultaneous uploads (import, submit, accept) in "
        f"{time.perf_counter() - started:.1f} s: {len(upload_errors)} errors"
        + (f" ({upload_errors[0]})" if upload_errors else "")
    )
    engine = create_engine(url)
    with engine.connect() as connection:
        versions = sorted(
            connection.execute(
                text(
                    "SELECT version FROM submissions WHERE place_id = :p AND agency_id = :a "
                    "AND financial_year = :y AND id = ANY(:ids)"
                ),
                {
                    "p": PLACE_ID,
                    "a": agency,
                    "y": MAIN_YEAR,
                    "ids": [u for u in uploads if isinstance(u, int)],
                },
            ).scalars()
        )
    notes.append(
        f"  their return versions: {versions} (every upload a version: {len(set(versions)) == 5})"
    )
    started = time.perf_counter()
    published = await asyncio.gather(*(publish_one(c) for c in clients), return_exceptions=True)
    publish_errors = [p for p in published if isinstance(p, BaseException)]
    numbers = sorted(p for p in published if isinstance(p, int))
    gapless = numbers == list(range(numbers[0], numbers[0] + len(numbers))) if numbers else False
    notes.append(
        f"5 simultaneous publishes in {time.perf_counter() - started:.1f} s: versions "
        f"{numbers}, without gaps: {gapless}, {len(publish_errors)} errors"
        + (f" ({publish_errors[0]})" if publish_errors else "")
    )
    for client in clients:
        await client.aclose()
    engine.dispose()
    return notes


def summary(results: dict[str, Timings], args: argparse.Namespace) -> dict[str, object]:
    """Each answer's median and p95 in seconds, and its errors, for bench/all.py."""
    out: dict[str, object] = {
        "sessions": args.sessions,
        "seconds": args.seconds,
        "lines": args.lines,
        "workers": args.workers,
    }
    for name, timings in results.items():
        ordered = sorted(timings.seconds) or [float("nan")]
        out[name] = {
            "answers": len(timings.seconds),
            "p50": statistics.median(ordered),
            "p95": ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))],
            "errors": timings.errors,
        }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--lines", type=int, default=BIG_AGENCY_LINES)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", POSTGRES))
    parser.add_argument("--json-out", help="also write each answer's p50 and p95 here (JSON)")
    args = parser.parse_args()
    if not args.database_url.startswith("postgresql"):
        raise SystemExit("bench/web.py measures a PostgreSQL deployment: give --database-url")
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(args.database_url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = schema_url(args.database_url, schema)
    server = None
    try:
        with tempfile.TemporaryDirectory(prefix="totalplace-bench-") as folder:
            home = Path(folder)
            agency, password = add_big_return(url, home, args.lines)
            server, base = start_server(url, home, args.workers)
            console.print(
                f"{args.sessions} signed-in sessions for {args.seconds:.0f} s against "
                f"{base} ({args.workers} server processes)"
            )
            results = asyncio.run(load(base, password, args.sessions, args.seconds))
            table = Table(title="Answers under load (milliseconds)")
            for column in ("what", "answers", "p50", "p95", "p99", "errors"):
                table.add_column(column, justify="left" if column == "what" else "right")
            for name, timings in results.items():
                table.add_row(*timings.row(name))
            console.print(table)
            if args.json_out:
                Path(args.json_out).write_text(json.dumps(summary(results, args)))
            for name, timings in results.items():
                if timings.first_error:
                    console.print(f"first error of {name}: {timings.first_error}")
            for note in asyncio.run(writes(base, password, agency, url)):
                console.print(note)
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=60)
            except subprocess.TimeoutExpired:
                server.kill()
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


if __name__ == "__main__":
    main()
