"""The barriers register in the workspace: read it, add and edit barriers, move them on,
upload a file with a preview first, download it, and the national roll-up."""

from __future__ import annotations

import base64
import binascii
from datetime import date

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile

from totalplace.barriers import service as barriers
from totalplace.core.problems import ImportRejected, NotFound, Problem
from totalplace.core.registry import identity
from totalplace.core.web.pages import render
from totalplace.core.web.security import (
    Viewer,
    check_csrf,
    in_place,
    place_of,
    signed_in,
    store_of,
)

router = APIRouter(include_in_schema=False)
MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}
FIELDS = (
    "title",
    "description",
    "kind",
    "owner",
    "rule",
    "raised_by_agency",
    "raised_by_person",
    "raised_on",
    "blocks",
)


def _register(
    request: Request,
    viewer: Viewer,
    place_id: str,
    problems: list[Problem] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    return render(
        request,
        "barriers.html",
        {
            "viewer": viewer,
            "place": place_of(request, place_id),
            "shown": barriers.register(store_of(request), place_id),
            "kinds": barriers.KINDS_SHOWN,
            "problems": problems or [],
        },
        status_code=status_code,
    )


@router.get("/places/{place_id}/barriers")
def register(request: Request, place_id: str) -> HTMLResponse:
    return _register(request, in_place(request, place_id, "view"), place_id)


@router.get("/places/{place_id}/barriers.{kind}")
def download(request: Request, place_id: str, kind: str) -> Response:
    in_place(request, place_id, "view")
    if kind not in ("csv", "xlsx"):
        raise HTTPException(status_code=404, detail="Choose csv or xlsx.")
    content = barriers.export(store_of(request), place_id, kind)
    return Response(
        content,
        media_type=MEDIA[kind],
        headers={"Content-Disposition": f'attachment; filename="{place_id}-barriers.{kind}"'},
    )


@router.get("/places/{place_id}/barriers/letter.{kind}")
def letter(request: Request, place_id: str, kind: str) -> Response:
    in_place(request, place_id, "view")
    if kind not in ("docx", "pdf"):
        raise HTTPException(status_code=404, detail="Choose docx or pdf.")
    content = barriers.letter(store_of(request), place_id, kind)
    return Response(
        content,
        media_type=MEDIA[kind],
        headers={"Content-Disposition": f'attachment; filename="{place_id}-barriers.{kind}"'},
    )


def _form(
    request: Request,
    viewer: Viewer,
    place_id: str,
    values: dict[str, str],
    action: str,
    problems: list[Problem] | None = None,
    status_code: int = 200,
    number: str | None = None,
) -> HTMLResponse:
    return render(
        request,
        "barrier_form.html",
        {
            "viewer": viewer,
            "place": place_of(request, place_id),
            "values": values,
            "action": action,
            "number": number,
            "kinds": barriers.KINDS_SHOWN,
            "problems": problems or [],
            "errors": {p.column or "title": p.message for p in problems or []},
        },
        status_code=status_code,
    )


@router.get("/places/{place_id}/barriers/new")
def new_barrier(request: Request, place_id: str) -> HTMLResponse:
    viewer = in_place(request, place_id, "analyse")
    values = {"raised_on": date.today().isoformat()}
    return _form(request, viewer, place_id, values, f"/places/{place_id}/barriers")


async def _fields(request: Request) -> dict[str, str]:
    form = await request.form()
    check_csrf(request, str(form.get("csrf") or ""))
    return {name: str(form.get(name) or "") for name in FIELDS}


@router.post("/places/{place_id}/barriers")
async def add_barrier(request: Request, place_id: str) -> Response:
    viewer = in_place(request, place_id, "analyse")
    values = await _fields(request)
    try:
        number = barriers.add_barrier(store_of(request), place_id, values, viewer.email)
    except ImportRejected as exc:
        action = f"/places/{place_id}/barriers"
        return _form(request, viewer, place_id, values, action, list(exc.problems), 400)
    return RedirectResponse(f"/places/{place_id}/barriers/{number}", status_code=303)


def _preview(
    request: Request,
    viewer: Viewer,
    place_id: str,
    rows: list[dict[str, object]],
    content: bytes,
    filename: str,
) -> HTMLResponse:
    return render(
        request,
        "barriers_preview.html",
        {
            "viewer": viewer,
            "place": place_of(request, place_id),
            "rows": rows,
            "kinds": barriers.KINDS_SHOWN,
            "content": base64.b64encode(content).decode("ascii"),
            "filename": filename,
        },
    )


@router.post("/places/{place_id}/barriers/upload")
async def upload(request: Request, place_id: str) -> Response:
    """Check the file and show what would be added; nothing is kept until confirmed."""
    viewer = in_place(request, place_id, "analyse")
    form = await request.form()
    check_csrf(request, str(form.get("csrf") or ""))
    chosen = form.get("file")
    if not isinstance(chosen, UploadFile) or not chosen.filename:
        problems = [Problem("file-not-found", "choose a CSV or XLSX file", column="file")]
        return _register(request, viewer, place_id, problems, 400)
    content = await chosen.read(barriers.MAX_BYTES + 1)
    filename = chosen.filename
    try:
        rows = barriers.check_file(store_of(request), place_id, content, filename)
    except ImportRejected as exc:
        return _register(request, viewer, place_id, list(exc.problems), 400)
    return _preview(request, viewer, place_id, rows, content, filename)


@router.post("/places/{place_id}/barriers/upload/confirm")
async def confirm_upload(request: Request, place_id: str) -> Response:
    """Add the previewed file: checked again, all or nothing."""
    viewer = in_place(request, place_id, "analyse")
    form = await request.form()
    check_csrf(request, str(form.get("csrf") or ""))
    filename = str(form.get("filename") or "barriers.csv")
    try:
        content = base64.b64decode(str(form.get("content") or ""), validate=True)
    except (binascii.Error, ValueError):
        content = b""
    if not content:
        problems = [Problem("file-not-found", "upload the file again", column="file")]
        return _register(request, viewer, place_id, problems, 400)
    try:
        barriers.add_from_file(store_of(request), place_id, content, filename, viewer.email)
    except ImportRejected as exc:
        return _register(request, viewer, place_id, list(exc.problems), 400)
    return RedirectResponse(f"/places/{place_id}/barriers", status_code=303)


def _one(request: Request, place_id: str, number: str) -> barriers.Shown:
    try:
        barriers.barrier(store_of(request), place_id, number)
    except NotFound as exc:
        raise HTTPException(status_code=404, detail="There is no such barrier.") from exc
    shown = barriers.register(store_of(request), place_id)
    return next(s for s in shown if s.barrier.tracking_number == number)


def _show(
    request: Request,
    viewer: Viewer,
    place_id: str,
    number: str,
    problems: list[Problem] | None = None,
    status_code: int = 200,
    values: dict[str, str] | None = None,
) -> HTMLResponse:
    shown = _one(request, place_id, number)
    return render(
        request,
        "barrier.html",
        {
            "viewer": viewer,
            "place": place_of(request, place_id),
            "shown": shown,
            "next": barriers.NEXT_STATUSES[shown.barrier.status],
            "problems": problems or [],
            "errors": {p.column or "status": p.message for p in problems or []},
            "values": values or {"on": date.today().isoformat()},
        },
        status_code=status_code,
    )


@router.get("/places/{place_id}/barriers/{number}")
def show_barrier(request: Request, place_id: str, number: str) -> HTMLResponse:
    return _show(request, in_place(request, place_id, "view"), place_id, number)


@router.post("/places/{place_id}/barriers/{number}/status")
async def move_barrier(request: Request, place_id: str, number: str) -> Response:
    viewer = in_place(request, place_id, "publish")
    form = await request.form()
    check_csrf(request, str(form.get("csrf") or ""))
    values = {k: str(form.get(k) or "") for k in ("status", "on", "reason")}
    _one(request, place_id, number)
    try:
        barriers.change_status(
            store_of(request),
            place_id,
            number,
            values["status"],
            values["on"],
            values["reason"],
            viewer.email,
        )
    except ImportRejected as exc:
        return _show(request, viewer, place_id, number, list(exc.problems), 400, values)
    return RedirectResponse(f"/places/{place_id}/barriers/{number}", status_code=303)


@router.get("/places/{place_id}/barriers/{number}/edit")
def edit_form(request: Request, place_id: str, number: str) -> HTMLResponse:
    viewer = in_place(request, place_id, "analyse")
    b = _one(request, place_id, number).barrier
    values = {name: str(getattr(b, name, "")) for name in FIELDS if name != "blocks"}
    values["blocks"] = barriers.write_links(b.blocks)
    action = f"/places/{place_id}/barriers/{number}/edit"
    return _form(request, viewer, place_id, values, action, number=number)


@router.post("/places/{place_id}/barriers/{number}/edit")
async def edit_barrier(request: Request, place_id: str, number: str) -> Response:
    viewer = in_place(request, place_id, "analyse")
    _one(request, place_id, number)
    values = await _fields(request)
    try:
        barriers.edit_barrier(store_of(request), place_id, number, values, viewer.email)
    except ImportRejected as exc:
        action = f"/places/{place_id}/barriers/{number}/edit"
        problems = list(exc.problems)
        return _form(request, viewer, place_id, values, action, problems, 400, number)
    return RedirectResponse(f"/places/{place_id}/barriers/{number}", status_code=303)


def _visible_places(request: Request, viewer: Viewer) -> list[str]:
    """The places whose barriers this person may read: their own."""
    store = store_of(request)
    return [
        p
        for p in barriers.place_ids(store)
        if identity().place_role(store, viewer.id, p) is not None
    ]


@router.get("/barriers/national")
def national(request: Request) -> HTMLResponse:
    viewer = signed_in(request)
    view = barriers.national(store_of(request), _visible_places(request, viewer))
    return render(
        request,
        "barriers_national.html",
        {"viewer": viewer, "view": view, "kinds": barriers.KINDS_SHOWN},
    )


@router.get("/barriers/national.{kind}")
def national_download(request: Request, kind: str) -> Response:
    viewer = signed_in(request)
    if kind not in ("csv", "xlsx"):
        raise HTTPException(status_code=404, detail="Choose csv or xlsx.")
    view = barriers.national(store_of(request), _visible_places(request, viewer))
    return Response(
        barriers.export_national(view, kind),
        media_type=MEDIA[kind],
        headers={"Content-Disposition": f'attachment; filename="barriers-national.{kind}"'},
    )
