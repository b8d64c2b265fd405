"""Long work (an import) run off the web server's event loop, with a record in the
database that any page, or any other server process, can read its progress from.

Why threads and a table (docs/decisions/0505-import-jobs.md): an import read files for
seconds to minutes on the event loop, so every other request waited; a job record makes
progress visible and survives the request that started it.
"""

from __future__ import annotations

import dataclasses
import logging
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from totalplace.core.problems import ImportRejected, Problem, ProblemGroup
from totalplace.core.store.base import Base, now

LOG = logging.getLogger("totalplace")
# Imports for different agencies run side by side, up to this many at once per process;
# the version lock (decision 0501) orders two for the same agency.
WORKERS = 4


class Job(Base):
    __tablename__ = "jobs"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(50))
    place_id: Mapped[str] = mapped_column(String(100), index=True)
    user_id: Mapped[int] = mapped_column(Integer)
    # queued, running, done or failed
    status: Mapped[str] = mapped_column(String(20))
    progress: Mapped[str] = mapped_column(String(300), default="")
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    result: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    @property
    def finished(self) -> bool:
        return self.status in ("done", "failed")

    def problems(self) -> list[Problem]:
        return [Problem(**p) for p in self.result.get("problems", [])]

    def rejected(self) -> ImportRejected:
        """The failed import's problems as they were raised: the first ones, their total,
        and each kind once with its full count."""
        groups = [
            ProblemGroup(
                g["code"], g["count"], g["columns"], g["files"], [Problem(**p) for p in g["first"]]
            )
            for g in self.result.get("groups", [])
        ]
        return ImportRejected(
            self.problems(), int(self.result.get("total", 0)), groups=groups or None
        )


Work = Callable[[Callable[[str], None]], dict[str, Any]]


class JobRunner:
    """Runs jobs in worker threads of this process; the store records each one."""

    def __init__(self, store: Any, workers: int = WORKERS) -> None:
        self.store = store
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="totalplace-job")

    def start(
        self, kind: str, place_id: str, user_id: int, detail: dict[str, Any], work: Work
    ) -> str:
        """Record a queued job and hand `work` to a worker; returns the job's id.

        `work` gets a callback for progress messages and returns the result to keep; an
        `ImportRejected` it raises is kept as the job's problems.
        """
        job_id = uuid.uuid4().hex
        with self.store.transaction() as session:
            session.add(
                Job(
                    id=job_id,
                    kind=kind,
                    place_id=place_id,
                    user_id=user_id,
                    status="queued",
                    progress="Waiting to start",
                    detail=detail,
                    result={},
                    created_at=now(),
                )
            )
        self.pool.submit(self._run, job_id, work)
        return job_id

    def _run(self, job_id: str, work: Work) -> None:
        self._set(job_id, status="running", progress="Starting")
        try:
            result = work(lambda message: self._set(job_id, progress=message[:300]))
        except ImportRejected as exc:
            problems = [dataclasses.asdict(p) for p in exc.problems]
            groups = [dataclasses.asdict(g) for g in exc.groups]
            self._finish(
                job_id, "failed", {"problems": problems, "total": exc.total, "groups": groups}
            )
        except Exception as exc:  # a job must end with a record, whatever happened
            LOG.exception("job %s failed", job_id)
            message = str(exc) if type(exc).__name__ == "WriteConflict" else ""
            self._finish(
                job_id,
                "failed",
                {
                    "message": message
                    or "The import stopped on an unexpected error; nothing was stored. "
                    "Try again, and tell the site's administrators if it happens again.",
                },
            )
        else:
            self._finish(job_id, "done", result)

    def _set(self, job_id: str, **values: Any) -> None:
        with self.store.transaction() as session:
            job = session.get(Job, job_id)
            if job is not None:
                for name, value in values.items():
                    setattr(job, name, value)

    def _finish(self, job_id: str, status: str, result: dict[str, Any]) -> None:
        progress = "Finished" if status == "done" else "Nothing was imported"
        self._set(job_id, status=status, result=result, progress=progress, finished_at=now())

    def wait(self) -> None:
        """Let running jobs end (at shut-down, and in tests)."""
        self.pool.shutdown(wait=True)


def job(store: Any, job_id: str) -> Job | None:
    with store.sessions() as session:
        found: Job | None = session.get(Job, job_id)
        return found
