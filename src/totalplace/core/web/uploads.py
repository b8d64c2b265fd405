"""One uploaded file from a form, checked for the CSRF token, presence and size, and the
import that follows it: all or nothing, its problems shown on the form it came from."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile

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
