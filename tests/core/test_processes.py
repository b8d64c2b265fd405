"""Scaling out on PostgreSQL alone: two server processes (one of them with two workers),
each with its own home folder and no shared disk, against one database. An upload
imported through one is accepted and counted through the other."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx
import pytest

from tests.count.test_workflow import import_with_recognised_columns, messy_return
from tests.workspace import PASSWORD, Workspace, csrf
from totalplace.count.service.counting import count_place

P = "/places/testshire"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def serve(url: str, home: Path, *extra: str) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "TOTALPLACE_HOME": str(home),
        "TOTALPLACE_SESSION_SECRET": "one secret for every server of the deployment",
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "totalplace.core.cli",
            "serve",
            "--port",
            str(port),
            "--insecure-cookies",
            *extra,
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return process, base
        except httpx.TransportError:
            time.sleep(0.2)
    process.kill()
    raise AssertionError(f"the server on {base} did not start")


@pytest.fixture
def two_servers(workspace: Workspace, tmp_path: Path) -> Iterator[tuple[str, str]]:
    url = workspace.store.engine.url.render_as_string(hide_password=False)
    first, a = serve(url, tmp_path / "machine-a", "--workers", "2")
    second, b = serve(url, tmp_path / "machine-b")
    try:
        yield a, b
    finally:
        for process in (first, second):
            process.terminate()
        for process in (first, second):
            process.wait(timeout=20)


def signed_in(base: str, email: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=30)
    response = client.post(
        "/login", data={"email": email, "password": PASSWORD, "csrf": csrf(client, "/login")}
    )
    assert response.status_code == 303, response.text
    return client


@pytest.mark.parametrize("store", ["postgresql"], indirect=True)
def test_an_upload_in_one_process_is_counted_in_the_other(
    workspace: Workspace, two_servers: tuple[str, str]
) -> None:
    a, b = two_servers
    before = count_place("testshire", "2010-11", store=workspace.store).total_pence
    on_a = signed_in(a, "analyst@testshire.test")
    uploaded = on_a.post(
        f"{P}/agencies/pct/upload",
        data={"csrf": csrf(on_a, f"{P}/agencies/pct/upload"), "year": "2010-11"},
        files={"files": ("pct.xlsx", messy_return(300), "application/octet-stream")},
    )
    assert uploaded.status_code == 303, uploaded.text
    done = import_with_recognised_columns(on_a, str(uploaded.headers["location"]))
    assert done.status_code == 303
    submission = int(str(done.headers["location"]).rsplit("/", 1)[1])

    on_b = signed_in(b, "lead@testshire.test")
    token = on_b.get("/api/session").json()["csrf_token"]
    headers = {"X-CSRF-Token": token}
    assert on_b.post(f"/api{P}/returns/{submission}/submit", headers=headers).status_code == 200
    assert on_b.post(f"/api{P}/returns/{submission}/accept", headers=headers).status_code == 200
    counted = on_b.get(f"/api{P}/count/2010-11").json()
    assert counted["by_agency"]
    after = count_place("testshire", "2010-11", store=workspace.store).total_pence
    assert after == before + 1_380_050
    assert any(row["agency_id"] == "pct" for row in counted["by_agency"])
    # B read the lines from the database: A's home folder holds no line files.
    assert not list(Path(workspace.home).parent.glob("machine-*/lines/**/*.parquet"))
