"""One settings object, read from the environment once and passed down."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    home: Path
    database_url: str

    @property
    def lines_dir(self) -> Path:
        """Where spend lines live, as immutable Parquet files (docs/decisions/0003)."""
        return self.home / "lines"

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if environ is None else environ)
        home = Path(env.get("TOTALPLACE_HOME") or Path.home() / ".totalplace").expanduser()
        url = env.get("DATABASE_URL") or f"sqlite:///{home / 'totalplace.db'}"
        return cls(home=home, database_url=normalise_database_url(url))


def normalise_database_url(url: str) -> str:
    """Hosting platforms hand out `postgres://` URLs; SQLAlchemy wants the driver named."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url
