"""One uploaded file from a form, checked for the CSRF token, presence and size, and the
import that follows it: all or nothing, its problems shown on the form it came from.

`UploadLimit` bounds every request body as it streams in, so a chunked upload (which has
no Content-Length to check) cannot be bigger than the limit either.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from fastapi import HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from totalplace.core.problems import ImportRejected, Problem
from totalplace.core.web.security import check_csrf


async def uploaded_file(request: Request, max_bytes: int) -> tuple[bytes, str] | list[Problem]:
    """The file's bytes and name, or the problems to show on the form."""
    form = await request.form()
    check_csrf(request, str(form.get("csrf") or ""))
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return [Problem("file-not-found", "choose a file to add", column="file")]
    content = await upload.read(max_bytes + 1)
    if len(content) > max_bytes:
        return [
            Problem(
                "file-unreadable",
                f"the file is over {max_bytes // 2**20} MB",
                column="file",
                fix="Split it, or keep only what is needed.",
            )
        ]
    return content, upload.filename


async def import_upload(
    request: Request,
    max_bytes: int,
    add: Callable[[bytes, str], str],
    form_again: Callable[[list[Problem]], HTMLResponse],
) -> Response:
    """Read the upload and hand it to `add`, which returns the page to go to next; a missing,
    oversized or rejected file shows the form again with its problems."""
    uploaded = await uploaded_file(request, max_bytes)
    if isinstance(uploaded, list):
        return form_again(uploaded)
    try:
        target = add(*uploaded)
    except ImportRejected as exc:
        return form_again(list(exc.problems))
    return RedirectResponse(target, status_code=303)


class RequestTooLarge(HTTPException):
    """Raised from `receive` once a body passes the limit. An HTTPException, so FastAPI's
    form reading lets it through and the app's error page answers it."""

    def __init__(self, limit: int) -> None:
        super().__init__(
            status_code=413,
            detail=f"The upload is too big: the limit is {limit // 2**20} MB. "
            "Split the file, or keep only what is needed.",
        )


class UploadLimit:
    """ASGI middleware: count each request's body bytes as they arrive and stop at the
    app's `max_upload_bytes`, whatever Content-Length says (or whether it is sent)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = int(scope["app"].state.max_upload_bytes)
        received = 0
        started = False

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise RequestTooLarge(limit)
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except RequestTooLarge as exc:
            # Normally the app's error page answers; this is for a body read outside it.
            if started:
                raise
            await too_large_page(scope, exc)(scope, receive, send)


def too_large_page(scope: Scope, exc: RequestTooLarge) -> Response:
    if str(scope.get("path", "")).startswith("/api/"):
        return Response(
            f'{{"detail": "{exc.detail}"}}', status_code=413, media_type="application/json"
        )
    return HTMLResponse(
        f"<!DOCTYPE html><title>Upload too big</title><h1>Upload too big</h1>"
        f"<p>{escape(str(exc.detail))}</p>",
        status_code=413,
    )
