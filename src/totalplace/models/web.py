"""Cost-of-failure models in the workspace."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from totalplace.core.problems import ImportRejected, Problem
from totalplace.core.web.pages import numbered, render
from totalplace.core.web.security import Viewer, check_csrf, in_place, place_of, store_of
from totalplace.core.web.uploads import import_upload
from totalplace.models.service import form as model_form
from totalplace.models.service import models as model_service

router = APIRouter(include_in_schema=False)
MAX_FILE_BYTES = 2 * 1024 * 1024


def _models(
    request: Request,
    viewer: Viewer,
    place_id: str,
    problems: list[Problem] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    return render(
        request,
        "models.html",
        {
            "viewer": viewer,
            "place": place_of(request, place_id),
            "problems": problems or [],
            "rows": model_service.records(store_of(request), place_id),
        },
        status_code=status_code,
    )


@router.get("/places/{place_id}/models")
def models(request: Request, place_id: str) -> HTMLResponse:
    return _models(request, in_place(request, place_id, "view"), place_id)


@router.post("/places/{place_id}/models")
async def add_model(request: Request, place_id: str) -> Response:
    viewer = in_place(request, place_id, "analyse")

    def add(content: bytes, filename: str) -> str:
        store = store_of(request)
        number = model_service.add_model(store, place_id, content, filename, viewer.email)
        return f"/places/{place_id}/models/{number}"

    return await import_upload(
        request,
        MAX_FILE_BYTES,
        add,
        lambda problems: _models(request, viewer, place_id, problems, 400),
    )


@router.get("/places/{place_id}/models/{record_id:int}")
def model(request: Request, place_id: str, record_id: int) -> HTMLResponse:
    viewer = in_place(request, place_id, "view")
    records = model_service.records(store_of(request), place_id)
    record = numbered(records, record_id, "cost-of-failure model")
    return render(
        request,
        "model.html",
        {
            "viewer": viewer,
            "place": place_of(request, place_id),
            "record": record,
            "result": model_service.run(record.spec),
        },
    )


@router.get("/places/{place_id}/models/{record_id:int}/delete")
def confirm_delete(request: Request, place_id: str, record_id: int) -> HTMLResponse:
    viewer = in_place(request, place_id, "analyse")
    records = model_service.records(store_of(request), place_id)
    record = numbered(records, record_id, "cost-of-failure model")
    return render(
        request,
        "confirm_delete.html",
        {
            "viewer": viewer,
            "place": place_of(request, place_id),
            "what": "cost-of-failure model",
            "name": record.name,
            "action": f"/places/{place_id}/models/{record_id}/delete",
            "back": f"/places/{place_id}/models/{record_id}",
        },
    )


@router.post("/places/{place_id}/models/{record_id:int}/delete")
async def delete_model(request: Request, place_id: str, record_id: int) -> Response:
    viewer = in_place(request, place_id, "analyse")
    check_csrf(request, str((await request.form()).get("csrf") or ""))
    model_service.delete_model(store_of(request), place_id, record_id, viewer.email)
    return RedirectResponse(f"/places/{place_id}/deleted", status_code=303)


@router.get("/places/{place_id}/models/{record_id:int}.json")
def download_model(request: Request, place_id: str, record_id: int) -> Response:
    in_place(request, place_id, "view")
    records = model_service.records(store_of(request), place_id)
    record = numbered(records, record_id, "cost-of-failure model")
    return Response(
        model_service.model_file(record),
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="model-{record_id}.json"'},
    )


def _form_page(
    request: Request,
    viewer: Viewer,
    place_id: str,
    state: model_form.ModelForm,
    record_id: int | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    return render(
        request,
        "model_form.html",
        {
            "viewer": viewer,
            "place": place_of(request, place_id),
            "form": state,
            "record_id": record_id,
        },
        status_code=status_code,
    )


@router.get("/places/{place_id}/models/new")
def new_model(request: Request, place_id: str) -> HTMLResponse:
    viewer = in_place(request, place_id, "analyse")
    return _form_page(request, viewer, place_id, model_form.blank())


@router.get("/places/{place_id}/models/{record_id:int}/edit")
def edit_model(request: Request, place_id: str, record_id: int) -> HTMLResponse:
    viewer = in_place(request, place_id, "analyse")
    records = model_service.records(store_of(request), place_id)
    record = numbered(records, record_id, "cost-of-failure model")
    state = model_form.from_spec(model_service.spec_of(record))
    return _form_page(request, viewer, place_id, state, record_id)


async def _save(request: Request, place_id: str, record_id: int | None) -> Response:
    viewer = in_place(request, place_id, "analyse")
    posted = {k: str(v) for k, v in (await request.form()).items()}
    check_csrf(request, posted.get("csrf"))
    state = model_form.submitted(posted)
    if record_id is not None:
        records = model_service.records(store_of(request), place_id)
        stored = numbered(records, record_id, "cost-of-failure model")
        state.kept = model_service.spec_of(stored).model_dump()
    if "more" in posted:  # the tables laid out again, or another phase: nothing saved yet
        return _form_page(request, viewer, place_id, state, record_id)
    spec = model_form.to_spec(state)
    if spec is None:
        return _form_page(request, viewer, place_id, state, record_id, 400)
    try:
        checked = model_service.checked(spec.model_dump(), "model")
        number = model_service.save_model(
            store_of(request), place_id, record_id, checked, viewer.email
        )
    except ImportRejected as exc:
        state = model_form.with_problems(state, list(exc.problems))
        return _form_page(request, viewer, place_id, state, record_id, 400)
    return RedirectResponse(f"/places/{place_id}/models/{number}", status_code=303)


@router.post("/places/{place_id}/models/new")
async def create_model(request: Request, place_id: str) -> Response:
    return await _save(request, place_id, None)


@router.post("/places/{place_id}/models/{record_id:int}/edit")
async def change_model(request: Request, place_id: str, record_id: int) -> Response:
    return await _save(request, place_id, record_id)


@router.get("/places/{place_id}/models/impact")
def budget_impact(request: Request, place_id: str) -> HTMLResponse:
    """A proposed change, described in a GET form (nothing is kept), and what it shifts
    onto every agency year by year, from one of the place's models."""
    viewer = in_place(request, place_id, "analyse")
    fields = {k: str(v).strip() for k, v in request.query_params.items()}
    store = store_of(request)
    result, problems = None, []
    if "model" in fields:
        try:
            result = model_service.budget_impact(store, place_id, fields)
        except ImportRejected as exc:
            problems = list(exc.problems)
    records = model_service.records(store, place_id)
    return render(
        request,
        "impact.html",
        {
            "viewer": viewer,
            "place": place_of(request, place_id),
            "records": records,
            "strategies": {
                r.id: [s.name for s in model_service.spec_of(r).strategies] for r in records
            },
            "fields": fields,
            "errors": {p.column: p.message for p in problems if p.column},
            "result": result,
        },
        status_code=400 if problems else 200,
    )
