"""One uploaded file from a form, checked for the CSRF token, presence and size."""

from __future__ import annotations

from fastapi import Request
from starlette.datastructures import UploadFile

from totalplace.io.errors import Problem
from totalplace.web.security import check_csrf


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
