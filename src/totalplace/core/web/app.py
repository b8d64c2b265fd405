"""The FastAPI application: one router per capability, server-rendered pages."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import TimeoutError as PoolTimeout

from totalplace.core.config import Settings
from totalplace.core.problems import TotalplaceError
from totalplace.core.registry import capability_routers
from totalplace.core.store.db import Store, open_store
from totalplace.core.store.jobs import JobRunner
from totalplace.core.web import pages
from totalplace.core.web.retry import RetryReadsOnce
from totalplace.core.web.security import SignInRequired, apply_cookies, trusted_networks
from totalplace.core.web.uploads import UploadLimit

LOG = logging.getLogger("totalplace")
STATIC = Path(__file__).parent / "static"
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
# Swagger UI from /static (npm swagger-ui-dist, copied by scripts/assets.sh): FastAPI's
# own page loads it from a CDN and starts it with an inline script; the CSP blocks both.
API_DOCS = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>totalplace API</title>
<link rel="stylesheet" href="/static/build/swagger-ui/swagger-ui.css">
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/static/build/swagger-ui/swagger-ui-bundle.js"></script>
<script src="/static/js/api-docs.js"></script>
</body>
</html>
"""


def create_app(
    settings: Settings | None = None, store: Store | None = None, secure_cookies: bool = True
) -> FastAPI:
    settings = settings or Settings.from_env()
    app = FastAPI(
        title="totalplace",
        version="0.1.0",
        description="The totalplace web workspace and its JSON API.",
        # /api/docs is served below, from the product's own copy of Swagger UI.
        docs_url=None,
        redoc_url=None,
    )
    app.state.store = store or open_store(settings)
    swept = app.state.store.sweep_lines()
    if swept.names:
        # A warning, as it means an earlier process was killed while writing.
        LOG.warning(swept.summary())
    app.state.jobs = JobRunner(app.state.store)
    # Sessions and sign-in limits are in the store, so every process sees the same.
    app.state.settings = settings
    app.state.trusted_proxies = trusted_networks(settings)
    app.state.max_upload_bytes = MAX_UPLOAD_BYTES
    app.state.uploads = settings.home / "uploads"
    # Innermost of our middleware: its 413 is answered by http_error below, with headers.
    app.add_middleware(UploadLimit)
    app.add_middleware(RetryReadsOnce)

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Any) -> Response:
        response: Response = await call_next(request)
        apply_cookies(request, response, secure_cookies)
        if not request.url.path.startswith("/static/"):
            # Pages and API answers carry a person's data: no browser or proxy keeps them
            # (after signing out, Back must not show them). Static assets may be cached.
            response.headers.setdefault("Cache-Control", "no-store")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            "frame-ancestors 'none'; form-action 'self'",
        )
        return response

    @app.exception_handler(SignInRequired)
    async def to_login(request: Request, exc: SignInRequired) -> Response:
        if request.url.path.startswith("/api/"):
            answer = {**exc.as_dict(), "detail": "Sign in first."}
            return Response(pages.json_text(answer), status_code=401, media_type="application/json")
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)

    @app.exception_handler(TotalplaceError)
    async def totalplace_error(request: Request, exc: TotalplaceError) -> Response:
        """Any error a service raises reaches a person as its problems, never a traceback."""
        if request.url.path.startswith("/api/"):
            return Response(
                pages.json_text(exc.as_dict()),
                status_code=exc.status,
                media_type="application/json",
            )
        return pages.render(
            request,
            "error.html",
            {"status": exc.status, "detail": str(exc), "problems": exc.problems},
            status_code=exc.status,
        )

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        if request.url.path.startswith("/api/"):
            return Response(
                f'{{"detail": {pages.json_text(exc.detail)}}}',
                status_code=exc.status_code,
                media_type="application/json",
            )
        return pages.render(
            request,
            "error.html",
            {"status": exc.status_code, "detail": exc.detail},
            status_code=exc.status_code,
        )

    @app.exception_handler(PoolTimeout)
    async def busy(request: Request, _exc: PoolTimeout) -> Response:
        """Every database connection stayed busy too long: a plain 503, never a 500."""
        answer = await http_error(
            request,
            HTTPException(
                status_code=503,
                detail="The server is very busy just now. Wait a moment and try again.",
            ),
        )
        answer.headers["Retry-After"] = "5"
        return answer

    app.mount("/static", StaticFiles(directory=STATIC, check_dir=False), name="static")
    for router in capability_routers():
        app.include_router(router)

    @app.get("/", include_in_schema=False)
    def home() -> RedirectResponse:
        return RedirectResponse("/places", status_code=303)

    @app.get("/api/docs", include_in_schema=False)
    def api_docs() -> HTMLResponse:
        return HTMLResponse(API_DOCS)

    @app.get("/healthz", include_in_schema=False)
    def health() -> HTMLResponse:
        return HTMLResponse("ok")

    return app


def app_from_env() -> FastAPI:
    """The app for each server process uvicorn starts (`totalplace serve --workers N`):
    settings from the environment, as the processes share nothing else."""
    return create_app(secure_cookies=os.environ.get("TOTALPLACE_INSECURE_COOKIES") != "1")
