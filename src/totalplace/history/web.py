"""The learning history in the workspace: import words, code them, check them, set the
sections and their order, and download the document. Every member of the place reads it;
a viewer sees only what has been approved, and nothing to change."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile

from totalplace.core.problems import ImportRejected, NotFound, Problem
from totalplace.core.web.pages import render
from totalplace.core.web.security import Viewer, check_csrf, in_place, place_of, store_of
from totalplace.history import service as history

router = APIRouter(include_in_schema=False)
MAX_BYTES = 5 * 1024 * 1024
MEDIA = {
    "html": "text/html",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def _project(request: Request, place_id: str, name: str) -> dict[str, object]:
    try:
        project = history.load(store_of(request), name)
    except ImportRejected as exc:
        raise HTTPException(status_code=404, detail="There is no such learning history.") from exc
    if project.get("place_id") != place_id:
        raise HTTPException(status_code=404, detail="There is no such learning history.")
    return project


def _list(
    request: Request,
    viewer: Viewer,
    place_id: str,
    problems: list[Problem] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    place = place_of(request, place_id)
    return render(
        request,
        "histories.html",
        {
            "viewer": viewer,
            "place": place,
            "problems": problems or [],
            "projects": history.projects_of_place(store_of(request), place_id),
        },
        status_code=status_code,
    )


@router.get("/places/{place_id}/history")
def histories(request: Request, place_id: str) -> HTMLResponse:
    return _list(request, in_place(request, place_id, "view"), place_id)


@router.post("/places/{place_id}/history")
async def import_words(request: Request, place_id: str) -> Response:
    viewer = in_place(request, place_id, "analyse")
    form = await request.form()
    check_csrf(request, str(form.get("csrf") or ""))
    name = str(form.get("project") or "").strip()
    kind = str(form.get("kind") or "report")
    upload = form.get("file")
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9 _-]{0,60}", name):
        return _list(
            request,
            viewer,
            place_id,
            [
                Problem(
                    "blank-value",
                    "name the learning history with letters, digits, spaces and dashes",
                    column="project",
                )
            ],
            400,
        )
    if not isinstance(upload, UploadFile) or not upload.filename:
        return _list(
            request,
            viewer,
            place_id,
            [Problem("file-not-found", "choose a file to import", column="file")],
            400,
        )
    content = await upload.read(MAX_BYTES + 1)
    if len(content) > MAX_BYTES:
        raise HTTPException(status_code=413, detail="A file is at most 5 MB.")
    key = f"{place_id}:{name}"
    with tempfile.TemporaryDirectory(prefix="totalplace-history-") as folder:
        path = Path(folder) / Path(upload.filename).name
        path.write_bytes(content)
        try:
            if kind == "interview":
                history.import_interview(
                    store_of(request),
                    key,
                    path,
                    {},
                    None,
                    "unknown",
                    viewer.email,
                    place_id=place_id,
                )
            else:
                history.import_text(store_of(request), key, path, viewer.email, place_id)
        except ImportRejected as exc:
            return _list(request, viewer, place_id, list(exc.problems), 400)
    return RedirectResponse(f"/places/{place_id}/history/{name}", status_code=303)


@router.get("/places/{place_id}/history/{name}")
def quote_bank(
    request: Request,
    place_id: str,
    name: str,
    theme: str | None = None,
    role: str | None = None,
    sentiment: str | None = None,
    search: str | None = None,
) -> HTMLResponse:
    viewer = in_place(request, place_id, "view")
    project = _project(request, place_id, f"{place_id}:{name}")
    bank = history.quotes(project)
    if not viewer.can("analyse"):
        bank = [q for q in bank if q.approved]  # readers see what is published, only
    shown = history.filtered(
        bank, theme or None, role or None, None, None, sentiment or None, search or None
    )
    place = place_of(request, place_id)
    return render(
        request,
        "history.html",
        {
            "viewer": viewer,
            "place": place,
            "name": name,
            "project": project,
            "quotes": shown,
            "total": len(bank),
            "balance": history.balance(bank),
            "filters": {
                "theme": theme or "",
                "role": role or "",
                "sentiment": sentiment or "",
                "search": search or "",
            },
        },
    )


@router.post("/places/{place_id}/history/{name}/quotes/{quote_id}")
async def change_quote(request: Request, place_id: str, name: str, quote_id: str) -> Response:
    viewer = in_place(request, place_id, "analyse")
    _project(request, place_id, f"{place_id}:{name}")
    form = {k: str(v) for k, v in (await request.form()).items()}
    check_csrf(request, form.get("csrf"))
    changes: dict[str, object] = {}
    if form.get("theme", "").strip():
        changes["theme"] = form["theme"].strip()
    if form.get("role", "").strip():
        changes["role"] = form["role"].strip()
    if form.get("approve") == "yes":
        changes["approved"] = True
    if "section" in form:
        changes["section"] = form["section"].strip() or None
    if form.get("tone", "").strip():
        changes["tone"] = form["tone"].strip()
    try:
        history.update_quote(
            store_of(request), f"{place_id}:{name}", quote_id, viewer.email, **changes
        )
    except ImportRejected as exc:
        raise HTTPException(status_code=400, detail=str(exc.problems[0])) from exc
    return RedirectResponse(f"/places/{place_id}/history/{name}#{quote_id}", status_code=303)


@router.get("/places/{place_id}/history/{name}/document.{kind}")
def document(request: Request, place_id: str, name: str, kind: str) -> Response:
    in_place(request, place_id, "view")  # the document holds approved quotes only
    if kind not in MEDIA:
        raise HTTPException(status_code=404, detail="Choose html, pdf or docx.")
    project = _project(request, place_id, f"{place_id}:{name}")
    content = history.document(project, kind)
    return Response(
        content,
        media_type=MEDIA[kind],
        headers={"Content-Disposition": f'attachment; filename="{name}.{kind}"'},
    )


def _sections_page(
    request: Request,
    viewer: Viewer,
    place_id: str,
    name: str,
    problems: list[Problem] | None = None,
    editing: int | None = None,
    typed: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    project = _project(request, place_id, f"{place_id}:{name}")
    placed: dict[str, int] = {}
    for q in history.quotes(project):
        if q.section:
            placed[q.section] = placed.get(q.section, 0) + 1
    return render(
        request,
        "history_sections.html",
        {
            "viewer": viewer,
            "place": place_of(request, place_id),
            "name": name,
            "project": project,
            "placed": placed,
            "problems": problems or [],
            "editing": editing,
            "typed": typed or {},
        },
        status_code=status_code,
    )


@router.get("/places/{place_id}/history/{name}/sections")
def sections(request: Request, place_id: str, name: str) -> HTMLResponse:
    return _sections_page(request, in_place(request, place_id, "analyse"), place_id, name)


async def _form(request: Request) -> dict[str, str]:
    form = {k: str(v) for k, v in (await request.form()).items()}
    check_csrf(request, form.get("csrf"))
    return form


def _questions(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


@router.post("/places/{place_id}/history/{name}/sections")
async def add_section(request: Request, place_id: str, name: str) -> Response:
    return await _save_section(request, place_id, name, None)


@router.post("/places/{place_id}/history/{name}/sections/{number:int}")
async def edit_section(request: Request, place_id: str, name: str, number: int) -> Response:
    return await _save_section(request, place_id, name, number)


async def _save_section(request: Request, place_id: str, name: str, number: int | None) -> Response:
    viewer = in_place(request, place_id, "analyse")
    _project(request, place_id, f"{place_id}:{name}")
    form = await _form(request)
    try:
        history.save_section(
            store_of(request),
            f"{place_id}:{name}",
            form.get("title", ""),
            form.get("narrative", ""),
            _questions(form.get("questions", "")),
            viewer.email,
            None if number is None else number - 1,
        )
    except ImportRejected as exc:
        return _sections_page(
            request, viewer, place_id, name, list(exc.problems), number, form, 400
        )
    except NotFound as exc:
        raise HTTPException(status_code=404, detail="There is no such section.") from exc
    return RedirectResponse(f"/places/{place_id}/history/{name}/sections", status_code=303)


@router.post("/places/{place_id}/history/{name}/sections/{number:int}/move")
async def move_section(request: Request, place_id: str, name: str, number: int) -> Response:
    viewer = in_place(request, place_id, "analyse")
    _project(request, place_id, f"{place_id}:{name}")
    form = await _form(request)
    by = -1 if form.get("direction") == "up" else 1
    try:
        history.move_section(store_of(request), f"{place_id}:{name}", number - 1, by, viewer.email)
    except NotFound as exc:
        raise HTTPException(status_code=404, detail="There is no such section.") from exc
    return RedirectResponse(f"/places/{place_id}/history/{name}/sections", status_code=303)


@router.get("/places/{place_id}/history/{name}/sections/{number:int}/remove")
def confirm_remove_section(request: Request, place_id: str, name: str, number: int) -> Response:
    viewer = in_place(request, place_id, "analyse")
    project = _project(request, place_id, f"{place_id}:{name}")
    found = project.get("sections")
    sections = found if isinstance(found, list) else []
    if not 1 <= number <= len(sections):
        raise HTTPException(status_code=404, detail="There is no such section.")
    return render(
        request,
        "history_section_remove.html",
        {
            "viewer": viewer,
            "place": place_of(request, place_id),
            "name": name,
            "number": number,
            "section": sections[number - 1],
        },
    )


@router.post("/places/{place_id}/history/{name}/sections/{number:int}/remove")
async def remove_section(request: Request, place_id: str, name: str, number: int) -> Response:
    viewer = in_place(request, place_id, "analyse")
    _project(request, place_id, f"{place_id}:{name}")
    await _form(request)
    try:
        history.remove_section(store_of(request), f"{place_id}:{name}", number - 1, viewer.email)
    except NotFound as exc:
        raise HTTPException(status_code=404, detail="There is no such section.") from exc
    return RedirectResponse(f"/places/{place_id}/history/{name}/sections", status_code=303)
