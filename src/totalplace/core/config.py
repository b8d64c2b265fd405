"""One settings object, read from the environment once and passed down."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    home: Path
    database_url: str
    # Sign-in sessions end after this long unused, and this long after sign-in at most.
    session_idle_minutes: int = 120
    session_hours: int = 12
    # Proxies whose X-Forwarded-For is believed (addresses or CIDRs); none by default.
    trusted_proxies: tuple[str, ...] = ()

    @property
    def lines_dir(self) -> Path:
        """Where spend lines live, as immutable Parquet files (docs/decisions/0003)."""
        return self.home / "lines"

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if environ is None else environ)
        home = Path(env.get("TOTALPLACE_HOME") or Path.home() / ".totalplace").expanduser()
        url = env.get("DATABASE_URL") or f"sqlite:///{home / 'totalplace.db'}"
        return cls(
            home=home,
            database_url=normalise_database_url(url),
            session_idle_minutes=_whole(env, "TOTALPLACE_SESSION_IDLE_MINUTES", 120),
            session_hours=_whole(env, "TOTALPLACE_SESSION_HOURS", 12),
            trusted_proxies=tuple(
                part.strip()
                for part in env.get("TOTALPLACE_TRUSTED_PROXIES", "").replace(";", ",").split(",")
                if part.strip()
            ),
        )


def _whole(env: dict[str, str], name: str, default: int) -> int:
    text = env.get(name, "").strip()
    if not text:
        return default
    if not text.isdigit() or int(text) < 1:
        raise ValueError(f"{name} must be a whole number above 0, like {default}; it is {text!r}.")
    return int(text)


def normalise_database_url(url: str) -> str:
    """Hosting platforms hand out `postgres://` URLs; SQLAlchemy wants the driver named."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url
