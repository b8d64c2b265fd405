"""A read that met a connection the database had closed is tried once more.

`pool_pre_ping` (core/store/db.py) catches a connection that died while it sat in the
pool. This catches one that died after it was handed out: PostgreSQL restarted, a
backend terminated, a proxy dropping idle sockets. Only GET and HEAD are retried: they
change nothing, so running one twice is safe; a write is never run twice.
"""

from __future__ import annotations

import logging

from sqlalchemy.exc import DBAPIError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

LOG = logging.getLogger("totalplace")
SAFE_METHODS = {"GET", "HEAD"}


class RetryReadsOnce:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in SAFE_METHODS:
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except DBAPIError as exc:
            # Only a lost connection, and only if nothing was sent yet.
            if started or not exc.connection_invalidated:
                raise
            LOG.warning("Database connection lost during %s; trying once more", scope["path"])
            await self.app(scope, receive, send)
