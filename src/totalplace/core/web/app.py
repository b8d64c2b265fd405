"""The FastAPI application: one router per capability, server-rendered pages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from totalplace.core.config import Settings
from totalplace.core.problems import TotalplaceError
from totalplace.core.registry import capability_routers
from totalplace.core.store.db import Store, open_store
from totalplace.core.web import pages
from totalplace.core.web.security import SignInRequired, apply_cookies, trusted_networks
from totalplace.core.web.uploads import UploadLimit

STATIC = Path(__file__).parent / "static"
MAX_UPLOAD_BYTES = 50 * 1024 * 1024


def create_app(
    settings: Settings | None = None, store: Store | None = None, secure_cookies: bool = True
) -> FastAPI:
    settings = settings or Settings.from_env()
    app = FastAPI(
        title="totalplace",
        version="0.1.0",
        description="The totalplace web workspace and its JSON API.",
        docs_url="/api/docs",
        redoc_url=None,
    )
    app.state.store = store or open_store(settings)
    # Sessions and sign-in limits are in the store, so every process sees the same.
    app.state.settings = settings
    app.state.trusted_proxies = trusted_networks(settings)
    app.state.max_upload_bytes = MAX_UPLOAD_BYTES
    app.state.uploads = settings.home / "uploads"
    # Innermost of our middleware: its 413 is answered by http_error below, with headers.
    app.add_middleware(UploadLimit)

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Any) -> Response:
        response: Response = await call_next(request)
        apply_cookies(request, response, secure_cookies)
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

    app.mount("/static", StaticFiles(directory=STATIC, check_dir=False), name="static")
    for router in capability_routers():
        app.include_router(router)

    @app.get("/", include_in_schema=False)
    def home() -> RedirectResponse:
        return RedirectResponse("/places", status_code=303)

    @app.get("/healthz", include_in_schema=False)
    def health() -> HTMLResponse:
        return HTMLResponse("ok")

    return app
