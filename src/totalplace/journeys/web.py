"""Citizens' journeys in the workspace: the evidence behind a case."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup

from totalplace.core.problems import ImportRejected, Problem
from totalplace.core.web.pages import numbered, render
from totalplace.core.web.security import Viewer, check_csrf, in_place, place_of, store_of
from totalplace.core.web.uploads import import_upload
from totalplace.history import service as history_service
from totalplace.journeys import service as journey_service

router = APIRouter(include_in_schema=False)
MAX_FILE_BYTES = 2 * 1024 * 1024


def _journeys(
    request: Request,
    viewer: Viewer,
    place_id: str,
    problems: list[Problem] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    rows = journey_service.records(store_of(request), place_id)
    return render(
        request,
        "journeys.html",
        {
            "viewer": viewer,
            "place": place_of(request, place_id),
            "problems": problems or [],
            "rows": [(r, journey_service.summarise(journey_service.as_journey(r))) for r in rows],
        },
        status_code=status_code,
    )


@router.get("/places/{place_id}/journeys")
def journeys(request: Request, place_id: str) -> HTMLResponse:
    return _journeys(request, in_place(request, place_id, "view"), place_id)


@router.post("/places/{place_id}/journeys")
async def add_journeys(request: Request, place_id: str) -> Response:
    viewer = in_place(request, place_id, "analyse")

    def add(content: bytes, filename: str) -> str:
        ids = journey_service.add_from_file(
            store_of(request), place_id, content, filename, viewer.email
        )
        one = len(ids) == 1
        return f"/places/{place_id}/journeys/{ids[0]}" if one else f"/places/{place_id}/journeys"

    return await import_upload(
        request,
        MAX_FILE_BYTES,
        add,
        lambda problems: _journeys(request, viewer, place_id, problems, 400),
    )


def _journey_page(
    request: Request,
    viewer: Viewer,
    place_id: str,
    record_id: int,
    problems: list[Problem] | None = None,
    form: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    record = numbered(journey_service.records(store_of(request), place_id), record_id, "journey")
    journey = journey_service.as_journey(record)
    cited = []
    for ref in record.quotes or []:
        try:
            project = history_service.load(store_of(request), f"{place_id}:{ref['history']}")
        except ImportRejected:
            continue
        found = next((q for q in project["quotes"] if q["id"] == ref["quote"]), None)
        if found and (not found["flags"] or found["approved"]):
            cited.append({**ref, "text": found["text"], "role": found["role"]})
    return render(
        request,
        "journey.html",
        {
            "viewer": viewer,
            "place": place_of(request, place_id),
            "record": record,
            "journey": journey,
            "summary": journey_service.summarise(journey),
            # The picture is built by our own code with every label escaped.
            "picture": Markup(journey_service.swimlane_svg(journey)),
            "outcomes": journey_service.OUTCOMES,
            "problems": problems or [],
            "form": form or {},
            "cited": cited,
        },
        status_code=status_code,
    )


@router.post("/places/{place_id}/journeys/new")
async def start_journey(request: Request, place_id: str) -> Response:
    viewer = in_place(request, place_id, "analyse")
    form = {k: str(v) for k, v in (await request.form()).items()}
    check_csrf(request, form.get("csrf"))
    try:
        number = journey_service.start(
            store_of(request),
            place_id,
            form.get("journey_id", ""),
            form.get("person", ""),
            form.get("cohort_per_year", ""),
            viewer.email,
        )
    except ImportRejected as exc:
        return _journeys(request, viewer, place_id, list(exc.problems), 400)
    return RedirectResponse(f"/places/{place_id}/journeys/{number}", status_code=303)


@router.post("/places/{place_id}/journeys/{record_id:int}/quotes")
async def cite_quote(request: Request, place_id: str, record_id: int) -> Response:
    viewer = in_place(request, place_id, "analyse")
    form = {k: str(v) for k, v in (await request.form()).items()}
    check_csrf(request, form.get("csrf"))
    try:
        journey_service.cite(
            store_of(request),
            place_id,
            record_id,
            form.get("history", "").strip(),
            form.get("quote", "").strip(),
            viewer.email,
        )
    except ImportRejected as exc:
        return _journey_page(request, viewer, place_id, record_id, list(exc.problems), None, 400)
    return RedirectResponse(f"/places/{place_id}/journeys/{record_id}", status_code=303)


@router.get("/places/{place_id}/journeys/{record_id:int}")
def journey(request: Request, place_id: str, record_id: int) -> HTMLResponse:
    return _journey_page(request, in_place(request, place_id, "view"), place_id, record_id)


@router.post("/places/{place_id}/journeys/{record_id:int}/steps")
async def add_step(request: Request, place_id: str, record_id: int) -> Response:
    viewer = in_place(request, place_id, "analyse")
    form = {k: str(v) for k, v in (await request.form()).items()}
    check_csrf(request, form.get("csrf"))
    try:
        journey_service.add_step(store_of(request), place_id, record_id, form, viewer.email)
    except ImportRejected as exc:
        return _journey_page(request, viewer, place_id, record_id, list(exc.problems), form, 400)
    return RedirectResponse(f"/places/{place_id}/journeys/{record_id}", status_code=303)


def _step_page(
    request: Request,
    viewer: Viewer,
    place_id: str,
    record_id: int,
    number: int,
    form: dict[str, str] | None = None,
    problems: list[Problem] | None = None,
) -> HTMLResponse:
    record = numbered(journey_service.records(store_of(request), place_id), record_id, "journey")
    step = journey_service.step_of(record, number)
    return render(
        request,
        "journey_step.html",
        {
            "viewer": viewer,
            "place": place_of(request, place_id),
            "record": record,
            "number": number,
            "form": form if form is not None else {k: str(v) for k, v in step.items()},
            "problems": problems or [],
            "outcomes": journey_service.OUTCOMES,
        },
        status_code=400 if problems else 200,
    )


@router.get("/places/{place_id}/journeys/{record_id:int}/steps/{number:int}")
def edit_step(request: Request, place_id: str, record_id: int, number: int) -> HTMLResponse:
    viewer = in_place(request, place_id, "analyse")
    return _step_page(request, viewer, place_id, record_id, number)


@router.post("/places/{place_id}/journeys/{record_id:int}/steps/{number:int}")
async def change_step(request: Request, place_id: str, record_id: int, number: int) -> Response:
    viewer = in_place(request, place_id, "analyse")
    form = {k: str(v) for k, v in (await request.form()).items()}
    check_csrf(request, form.get("csrf"))
    try:
        journey_service.save_step(
            store_of(request), place_id, record_id, number, form, viewer.email
        )
    except ImportRejected as exc:
        return _step_page(request, viewer, place_id, record_id, number, form, list(exc.problems))
    return RedirectResponse(f"/places/{place_id}/journeys/{record_id}", status_code=303)


def _confirm(request: Request, viewer: Viewer, place_id: str, **what: str) -> HTMLResponse:
    return render(
        request,
        "confirm_delete.html",
        {"viewer": viewer, "place": place_of(request, place_id), **what},
    )


@router.get("/places/{place_id}/journeys/{record_id:int}/steps/{number:int}/delete")
def confirm_delete_step(
    request: Request, place_id: str, record_id: int, number: int
) -> HTMLResponse:
    viewer = in_place(request, place_id, "analyse")
    record = numbered(journey_service.records(store_of(request), place_id), record_id, "journey")
    step = journey_service.step_of(record, number)
    return _confirm(
        request,
        viewer,
        place_id,
        what="step",
        name=f"{number}: {step['agency']}, {step['service']}",
        action=f"/places/{place_id}/journeys/{record_id}/steps/{number}/delete",
        back=f"/places/{place_id}/journeys/{record_id}",
        final="The step is taken out of the journey for good; it can be entered again.",
    )


@router.post("/places/{place_id}/journeys/{record_id:int}/steps/{number:int}/delete")
async def delete_step(request: Request, place_id: str, record_id: int, number: int) -> Response:
    viewer = in_place(request, place_id, "analyse")
    check_csrf(request, str((await request.form()).get("csrf") or ""))
    journey_service.delete_step(store_of(request), place_id, record_id, number, viewer.email)
    return RedirectResponse(f"/places/{place_id}/journeys/{record_id}", status_code=303)


@router.get("/places/{place_id}/journeys/{record_id:int}/delete")
def confirm_delete_journey(request: Request, place_id: str, record_id: int) -> HTMLResponse:
    viewer = in_place(request, place_id, "analyse")
    record = numbered(journey_service.records(store_of(request), place_id), record_id, "journey")
    return _confirm(
        request,
        viewer,
        place_id,
        what="journey",
        name=record.journey_id,
        action=f"/places/{place_id}/journeys/{record_id}/delete",
        back=f"/places/{place_id}/journeys/{record_id}",
    )


@router.post("/places/{place_id}/journeys/{record_id:int}/delete")
async def delete_journey(request: Request, place_id: str, record_id: int) -> Response:
    viewer = in_place(request, place_id, "analyse")
    check_csrf(request, str((await request.form()).get("csrf") or ""))
    journey_service.delete_journey(store_of(request), place_id, record_id, viewer.email)
    return RedirectResponse(f"/places/{place_id}/deleted", status_code=303)
