"""Returns in the workspace: who has sent what, uploading with a column preview, every
problem shown at its row and column, submitting, accepting, and classifying."""

from __future__ import annotations

import json
import secrets
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile

from totalplace.core.problems import (
    ImportRejected,
    ProblemList,
    group_problems,
    problems_csv,
)
from totalplace.core.reference import reference
from totalplace.core.web.pages import render
from totalplace.core.web.security import Viewer, check_csrf, in_place, store_of
from totalplace.core.years import FinancialYearError, parse_financial_year
from totalplace.count.service import classifying, views
from totalplace.count.service import queries as count_queries
from totalplace.count.service import returns as return_service
from totalplace.count.service.queries import FIELD_LABELS as RULE_FIELD_LABELS
from totalplace.count.service.queries import MATCHED_FIELDS, RULE_FIELDS, ReadPlan, Submission
from totalplace.count.service.template import write_template
from totalplace.places.service import queries as place_queries

router = APIRouter(include_in_schema=False)
PREVIEW_ROWS = 5
FIELD_LABELS = {
    "amount_gbp": "Amount (£)",
    "payment_date": "Payment date",
    "supplier": "Supplier",
    "service": "Service or cost centre",
    "expense_type": "Expense type",
    "description": "Description",
    "spend_type": "Revenue or capital",
    "cofog": "COFOG code",
    "sercop": "SeRCOP division",
    "themes": "Themes",
    "funding_source": "Funding source",
    "counterparty_agency_id": "Paid to agency (counterparty_agency_id)",
    "estimate": "Estimate (true/false)",
    "agency_id": "Agency (agency_id)",
    "financial_year": "Financial year",
}
# Every column of the returns format is offered in the column check.
MAPPED_FIELDS = tuple(FIELD_LABELS)
OUTSIDE_YEAR_CHOICES = ("refuse", "leave-out", "split")


@router.get("/places/{place_id}/returns")
def coverage(request: Request, place_id: str, year: str | None = None) -> HTMLResponse:
    viewer = in_place(request, place_id, "upload")
    with store_of(request).sessions() as session:
        place = place_queries.get_place(session, place_id)
        agencies = place_queries.agencies(session, place_id)
        own = viewer.agency_id if viewer.role == "contributor" else None
        submissions = views.returns_of(store_of(request), place_id, None, own, newest_first=True)
    years = sorted({s.financial_year for s in submissions}, reverse=True)
    chosen = year or (years[0] if years else None)
    if viewer.role == "contributor":
        agencies = [a for a in agencies if a.agency_id == viewer.agency_id]
    rows = []
    for agency in agencies:
        mine = [
            s for s in submissions if s.agency_id == agency.agency_id and s.financial_year == chosen
        ]
        current = next((s for s in mine if s.status == "current"), None)
        pending = [s for s in mine if s.status in ("draft", "submitted")]
        rows.append({"agency": agency, "current": current, "pending": pending})
    return render(
        request,
        "returns.html",
        {"viewer": viewer, "place": place, "rows": rows, "years": years, "year": chosen},
    )


@router.get("/places/{place_id}/template.xlsx")
def template(request: Request, place_id: str, year: str | None = None) -> Response:
    in_place(request, place_id, "upload")
    with tempfile.TemporaryDirectory(prefix="totalplace-template-") as folder:
        path = write_template(
            place_id,
            Path(folder) / f"{place_id}-count-template.xlsx",
            store=store_of(request),
            financial_year=year,
        )
        content = path.read_bytes()
    return Response(
        content,
        media_type=("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        headers={"Content-Disposition": f'attachment; filename="{path.name}"'},
    )


@router.get("/places/{place_id}/agencies/{agency_id}/upload")
def upload_page(request: Request, place_id: str, agency_id: str) -> HTMLResponse:
    viewer = _uploader(request, place_id, agency_id)
    return _upload_form(request, viewer, place_id, agency_id, {}, {})


def _upload_form(
    request: Request,
    viewer: Viewer,
    place_id: str,
    agency_id: str,
    errors: dict[str, str],
    form: dict[str, str],
    status_code: int = 200,
    rejected: ImportRejected | None = None,
    token: str | None = None,
) -> HTMLResponse:
    with store_of(request).sessions() as session:
        place = place_queries.get_place(session, place_id)
        agency = next(
            (a for a in place_queries.agencies(session, place_id) if a.agency_id == agency_id), None
        )
    return render(
        request,
        "upload.html",
        {
            "viewer": viewer,
            "place": place,
            "agency": agency,
            "errors": errors,
            "form": form,
            "groups": rejected.groups if rejected else [],
            "problem_total": rejected.total if rejected else 0,
            "token": token,
        },
        status_code=status_code,
    )


def _uploader(request: Request, place_id: str, agency_id: str) -> Viewer:
    viewer = in_place(request, place_id, "upload")
    if not viewer.can_upload_for(agency_id):
        raise HTTPException(
            status_code=403, detail="You can upload returns for your own agency only."
        )
    with store_of(request).sessions() as session:
        if agency_id not in {a.agency_id for a in place_queries.agencies(session, place_id)}:
            raise HTTPException(status_code=404, detail=f"The place has no agency {agency_id}.")
    return viewer


UPLOAD_LIFETIME_SECONDS = 24 * 3600


def _new_upload_folder(request: Request) -> Path:
    root = Path(request.app.state.uploads)
    _sweep(root)
    folder = root / secrets.token_urlsafe(16)
    folder.mkdir(parents=True)
    return folder


def _sweep(root: Path) -> None:
    """Uploads left unimported for a day are deleted: they were never stored data."""
    if not root.exists():
        return
    cutoff = time.time() - UPLOAD_LIFETIME_SECONDS
    for folder in root.iterdir():
        if folder.is_dir() and folder.stat().st_mtime < cutoff:
            shutil.rmtree(folder, ignore_errors=True)


@router.post("/places/{place_id}/agencies/{agency_id}/upload")
async def upload(request: Request, place_id: str, agency_id: str) -> Response:
    viewer = _uploader(request, place_id, agency_id)
    limit = int(request.app.state.max_upload_bytes)
    declared = int(request.headers.get("content-length") or 0)
    if declared > limit:
        return _upload_form(
            request,
            viewer,
            place_id,
            agency_id,
            {"files": f"The files are too big: the limit is {limit // 2**20} MB."},
            {},
            status_code=413,
        )
    form = await request.form()
    check_csrf(request, str(form.get("csrf") or ""))
    year = return_service.canonical_year(str(form.get("year") or ""))
    files = [f for f in form.getlist("files") if isinstance(f, UploadFile) and f.filename]
    errors: dict[str, str] = {}
    try:
        parse_financial_year(year)
    except FinancialYearError:
        errors["year"] = "Enter the financial year as 2009-10 or 2009/10."
    if not files:
        errors["files"] = "Choose one or more files: CSV, XLSX or ODS."
    if errors:
        return _upload_form(
            request, viewer, place_id, agency_id, errors, {"year": year}, status_code=400
        )
    folder = _new_upload_folder(request)
    names = []
    for number, upload_file in enumerate(files):
        # The stored name is ours; the user's name is kept only as text, never as a path.
        safe = Path(upload_file.filename or "file").name.replace("/", "_")[:120]
        target = folder / f"{number:02d}-{safe}"
        with target.open("wb") as handle:
            shutil.copyfileobj(upload_file.file, handle)
        names.append(target.name)
    meta = {
        "place_id": place_id,
        "agency_id": agency_id,
        "year": year,
        "user_id": viewer.id,
        "files": names,
        "names": [n.split("-", 1)[1] for n in names],
        **_options(form),
    }
    (folder / "upload.json").write_text(json.dumps(meta))
    return RedirectResponse(f"/places/{place_id}/uploads/{folder.name}", status_code=303)


def _load_upload(request: Request, place_id: str, token: str) -> tuple[Path, dict[str, Any]]:
    if not token.replace("-", "").replace("_", "").isalnum():
        raise HTTPException(status_code=404, detail="No such upload.")
    folder = Path(request.app.state.uploads) / token
    meta_path = folder / "upload.json"
    if not meta_path.exists():
        raise HTTPException(status_code=404, detail="This upload has expired: upload again.")
    meta: dict[str, Any] = json.loads(meta_path.read_text())
    if meta["place_id"] != place_id:
        raise HTTPException(status_code=404, detail="No such upload.")
    return folder, meta


def _options(form: Any) -> dict[str, Any]:
    """The reading options of the upload and column-check forms."""
    outside = str(form.get("outside_year") or "refuse")
    return {
        "include_hidden": form.get("include_hidden") == "yes",
        "outside_year": outside if outside in OUTSIDE_YEAR_CHOICES else "refuse",
    }


def _read_upload(folder: Path, meta: dict[str, Any], problems: ProblemList) -> Any:
    names = meta.get("names") or [n.split("-", 1)[1] for n in meta["files"]]
    return return_service.read_return_files(
        [folder / name for name in meta["files"]], problems, names
    )


def _own_upload(request: Request, place_id: str, token: str) -> tuple[Path, dict[str, Any], Viewer]:
    folder, meta = _load_upload(request, place_id, token)
    viewer = _uploader(request, place_id, meta["agency_id"])
    if meta["user_id"] != viewer.id:
        raise HTTPException(status_code=404, detail="No such upload.")
    return folder, meta, viewer


@router.get("/places/{place_id}/uploads/{token}")
def preview(request: Request, place_id: str, token: str) -> HTMLResponse:
    folder, meta, viewer = _own_upload(request, place_id, token)
    problems = ProblemList()
    try:
        files = _read_upload(folder, meta, problems)
    except ImportRejected as exc:
        return _rejected(request, viewer, place_id, meta, token, folder, exc)
    store = store_of(request)
    saved = return_service.saved_mapping_for(store, place_id, meta["agency_id"])
    with store.sessions() as session:
        place = place_queries.get_place(session, place_id)
        agency = next(
            a for a in place_queries.agencies(session, place_id) if a.agency_id == meta["agency_id"]
        )
    # The saved mapping's headers come first; every column is still recognised.
    plan = return_service.plan_return(files, saved, problems, bool(meta.get("include_hidden")))
    hidden = sorted(f"{file} sheet {sheet!r}" for file, sheet in files.hidden)
    return render(
        request,
        "preview.html",
        {
            "viewer": viewer,
            "place": place,
            "agency": agency,
            "place_id": place_id,
            "meta": meta,
            "token": token,
            "layouts": _layouts(files.sheets, plan),
            "groups": group_problems(problems.kept),
            "problem_total": problems.total,
            "fields": MAPPED_FIELDS,
            "labels": FIELD_LABELS,
            "left_out": plan.left_out,
            "hidden": hidden,
        },
    )


def _layouts(sheets: list[Any], plan: ReadPlan) -> list[dict[str, Any]]:
    """Parts with the same header row share one set of choices: "the same for every
    sheet of this layout"."""
    by_key = {(s.file, s.name): s for s in sheets}
    layouts: dict[tuple[str, ...], dict[str, Any]] = {}
    for part in plan.parts:
        sheet = by_key[(part.file, part.sheet)]
        header = [str(c).strip() if c is not None else "" for c in sheet.rows[part.header_row - 1]]
        layout = layouts.get(tuple(header))
        where = {
            "label": part.label,
            "header_row": part.header_row,
            "thousands": part.thousands,
            "decimal_comma": part.decimal_comma,
        }
        if layout is not None:
            layout["parts"].append(where)
            continue
        rows = sheet.rows[part.header_row : part.header_row + PREVIEW_ROWS]
        layouts[tuple(header)] = {
            "number": len(layouts),
            "parts": [where],
            "header": header,
            "columns": part.columns,
            "rows": [["" if c is None else str(c) for c in row] for row in rows],
        }
    return list(layouts.values())


def _form_mapping(form: Any) -> dict[str, Any]:
    """The column check's choices as a mapping. A field chosen in no layout is given as
    an empty list: the person said it is not there, so it is not recognised either."""
    columns: dict[str, list[str]] = {}
    offered: set[str] = set()
    for key, value in form.multi_items():
        if not key.startswith("map:"):
            continue
        field = key.split(":")[2]
        if field not in FIELD_LABELS:
            continue
        offered.add(field)
        if str(value) and str(value) not in columns.setdefault(field, []):
            columns[field].append(str(value))
    for field in offered:
        columns.setdefault(field, [])
    thousands = form.get("thousands")
    return {
        "columns": columns,
        "amounts_in_thousands": None if thousands in (None, "auto") else thousands == "yes",
    }


@router.post("/places/{place_id}/uploads/{token}")
async def import_upload(request: Request, place_id: str, token: str) -> Response:
    folder, meta, viewer = _own_upload(request, place_id, token)
    form = await request.form()
    check_csrf(request, str(form.get("csrf") or ""))
    year = return_service.canonical_year(str(form.get("year") or meta["year"]))
    try:
        parse_financial_year(year)
    except FinancialYearError:
        year = meta["year"]
    meta.update({"year": year, **_options(form)})
    (folder / "upload.json").write_text(json.dumps(meta))
    mapping = _form_mapping(form)
    if not mapping["columns"].get("amount_gbp"):
        mapping["columns"].pop("amount_gbp", None)
    (folder / "mapping.json").write_text(json.dumps(mapping))
    with_columns = bool(mapping["columns"].get("amount_gbp"))
    store = store_of(request)

    def work(report: Callable[[str], None]) -> dict[str, Any]:
        # In a worker thread (decision 0505): the event loop stays free for everyone else.
        try:
            result = return_service.import_return(
                meta["agency_id"],
                [folder / name for name in meta["files"]],
                meta["year"],
                store=store,
                place_id=place_id,
                mapping_file=folder / "mapping.json" if with_columns else None,
                actor=viewer.email,
                draft=True,
                report=report,
                include_hidden=bool(meta["include_hidden"]),
                outside_year=meta["outside_year"],
                names=meta.get("names"),
            )
        except ImportRejected as exc:
            # Nothing was stored. The files are kept (for a day) so that the person can
            # change the year, the options or the columns and try again without
            # re-choosing them; the whole list of problems waits beside them.
            (folder / "problems.csv").write_text(problems_csv(exc.everything), encoding="utf-8")
            raise
        assert result is not None
        shutil.rmtree(folder, ignore_errors=True)
        return {"submission_id": result.submission_id, "line_count": result.line_count}

    job_id = request.app.state.jobs.start(
        "import-return",
        place_id,
        viewer.id,
        {
            "agency_id": meta["agency_id"],
            "year": meta["year"],
            "files": meta["files"],
            "upload": token,
        },
        work,
    )
    return RedirectResponse(f"/places/{place_id}/jobs/{job_id}", status_code=303)


@router.get("/places/{place_id}/jobs/{job_id}")
def import_job(request: Request, place_id: str, job_id: str) -> Response:
    """An import's progress; polled by htmx until it ends, then its outcome."""
    viewer = in_place(request, place_id, "upload")
    found = count_queries.import_job(store_of(request), job_id)
    if found is None or found.place_id != place_id or found.user_id != viewer.id:
        raise HTTPException(status_code=404, detail="No such import.")
    polled = request.headers.get("HX-Request") == "true"
    if found.finished and polled:
        # The whole page changes: tell htmx to load it rather than swap a fragment.
        return Response(status_code=200, headers={"HX-Redirect": request.url.path})
    if found.status == "done":
        submission = found.result["submission_id"]
        return RedirectResponse(f"/places/{place_id}/returns/{submission}", status_code=303)
    if found.status == "failed" and not found.result.get("message") and found.detail.get("upload"):
        token = str(found.detail["upload"])
        folder, meta, _viewer = _own_upload(request, place_id, token)
        return _rejected(request, viewer, place_id, meta, token, folder, found.rejected())
    if found.status == "failed":
        message = found.result.get("message")
        return _upload_form(
            request,
            viewer,
            place_id,
            str(found.detail["agency_id"]),
            {"files": str(message)} if message else {},
            {"year": str(found.detail["year"])},
            status_code=409 if message else 400,
            rejected=found.rejected() if not message else None,
        )
    with store_of(request).sessions() as session:
        place = place_queries.get_place(session, place_id)
    return render(
        request,
        "job_progress.html" if polled else "job.html",
        {"viewer": viewer, "place": place, "job": found},
    )


def _rejected(
    request: Request,
    viewer: Viewer,
    place_id: str,
    meta: dict[str, Any],
    token: str,
    folder: Path,
    exc: ImportRejected,
) -> HTMLResponse:
    (folder / "problems.csv").write_text(problems_csv(exc.everything), encoding="utf-8")
    return _upload_form(
        request,
        viewer,
        place_id,
        meta["agency_id"],
        {},
        {"year": meta["year"]},
        status_code=400,
        rejected=exc,
        token=token,
    )


@router.get("/places/{place_id}/uploads/{token}/problems.csv")
def problems_download(request: Request, place_id: str, token: str) -> Response:
    folder, _meta, _viewer = _own_upload(request, place_id, token)
    path = folder / "problems.csv"
    if not path.exists():
        raise HTTPException(status_code=404, detail="This upload has no problems to download.")
    return Response(
        path.read_bytes(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="problems.csv"'},
    )


def return_in_place(
    request: Request, place_id: str, submission_id: int, capability: str = "upload"
) -> tuple[Viewer, Submission]:
    """A return of this place that the person may act on; any other is "not found"."""
    viewer = in_place(request, place_id, capability)
    with store_of(request).sessions() as session:
        submission = session.get(Submission, submission_id)
    if (
        submission is None
        or submission.place_id != place_id
        or (not viewer.can_upload_for(submission.agency_id) and not viewer.can("publish"))
    ):
        raise HTTPException(status_code=404, detail="No such return.")
    return viewer, submission


def move_return(
    request: Request,
    change: Callable[[Any, int, str], None],
    submission: Submission,
    viewer: Viewer,
) -> None:
    """Submit or accept; a return in the wrong state is a conflict (409), said plainly."""
    try:
        change(store_of(request), submission.id, viewer.email)
    except return_service.ReturnStateError as exc:
        raise HTTPException(status_code=409, detail=str(exc)) from exc


@router.get("/places/{place_id}/returns/{submission_id}")
def return_page(
    request: Request, place_id: str, submission_id: int, errors: dict[str, str] | None = None
) -> HTMLResponse:
    viewer, submission = return_in_place(request, place_id, submission_id)
    store = store_of(request)
    lines = store.lines.read(submission.lines_file)
    with store.sessions() as session:
        place = place_queries.get_place(session, place_id)
        known = count_queries.classification_frame(session, place_id)
        names = {a.agency_id: a.name for a in place_queries.agencies(session, place_id)}
        newer = [
            s.version
            for s in count_queries.submissions_for(
                session, place_id, submission.agency_id, submission.financial_year
            )
            if s.version > submission.version and s.status == "current"
        ]
    return render(
        request,
        "return.html",
        {
            "viewer": viewer,
            "place": place,
            "submission": submission,
            "agency_name": names.get(submission.agency_id, submission.agency_id),
            "newer_current": newer[0] if newer else None,
            "errors": errors or {},
            "unclassified": return_service.unclassified(lines, known)[:50],
            "first_lines": lines.head(20).to_dicts(),
            "notes": list(submission.mapping.get("notes") or []),  # type: ignore[call-overload]
            "left_out": list(submission.mapping.get("left_out") or [])[:200],  # type: ignore[call-overload]
            "left_out_total": len(submission.mapping.get("left_out") or []),  # type: ignore[arg-type]
        },
        status_code=400 if errors else 200,
    )


@router.get("/places/{place_id}/returns/{submission_id}/left-out.csv")
def left_out_download(request: Request, place_id: str, submission_id: int) -> Response:
    """Every row the import left out (totals rows, lines outside the year)."""
    _viewer, submission = return_in_place(request, place_id, submission_id)
    rows = list(submission.mapping.get("left_out") or [])  # type: ignore[call-overload]
    name = f"{submission.agency_id}-{submission.financial_year}-v{submission.version}-left-out.csv"
    return Response(
        return_service.left_out_csv(rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.post("/places/{place_id}/returns/{submission_id}/submit")
def submit(
    request: Request, place_id: str, submission_id: int, csrf: Annotated[str, Form()] = ""
) -> Response:
    viewer, submission = return_in_place(request, place_id, submission_id)
    if not viewer.can_upload_for(submission.agency_id):
        raise HTTPException(status_code=403, detail="Only the agency's own people submit it.")
    check_csrf(request, csrf)
    move_return(request, return_service.submit_return, submission, viewer)
    return RedirectResponse(f"/places/{place_id}/returns/{submission_id}", status_code=303)


@router.post("/places/{place_id}/returns/{submission_id}/accept")
def accept(
    request: Request, place_id: str, submission_id: int, csrf: Annotated[str, Form()] = ""
) -> Response:
    viewer, submission = return_in_place(request, place_id, submission_id, "publish")
    check_csrf(request, csrf)
    move_return(request, return_service.accept_return, submission, viewer)
    return RedirectResponse(f"/places/{place_id}/returns/{submission_id}", status_code=303)


@router.post("/places/{place_id}/returns/{submission_id}/withdraw")
def withdraw(
    request: Request, place_id: str, submission_id: int, csrf: Annotated[str, Form()] = ""
) -> Response:
    viewer, submission = return_in_place(request, place_id, submission_id)
    if not viewer.can_upload_for(submission.agency_id):
        raise HTTPException(status_code=403, detail="Only the agency's own people withdraw it.")
    check_csrf(request, csrf)
    move_return(request, return_service.withdraw_return, submission, viewer)
    return RedirectResponse(f"/places/{place_id}/returns/{submission_id}", status_code=303)


@router.post("/places/{place_id}/returns/{submission_id}/delete")
def delete_draft(
    request: Request, place_id: str, submission_id: int, csrf: Annotated[str, Form()] = ""
) -> Response:
    viewer, submission = return_in_place(request, place_id, submission_id)
    if not viewer.can_upload_for(submission.agency_id):
        raise HTTPException(status_code=403, detail="Only the agency's own people delete it.")
    check_csrf(request, csrf)
    move_return(request, return_service.delete_draft, submission, viewer)
    return RedirectResponse(
        f"/places/{place_id}/returns?year={submission.financial_year}", status_code=303
    )


@router.post("/places/{place_id}/returns/{submission_id}/send-back")
def send_back(
    request: Request,
    place_id: str,
    submission_id: int,
    csrf: Annotated[str, Form()] = "",
    comment: Annotated[str, Form()] = "",
) -> Response:
    viewer, submission = return_in_place(request, place_id, submission_id, "publish")
    check_csrf(request, csrf)
    if not comment.strip():
        return return_page(
            request,
            place_id,
            submission_id,
            errors={"comment": "Say what the agency should fix before sending it back."},
        )
    move_return(
        request,
        lambda store, sid, actor: return_service.send_back(store, sid, actor, comment),
        submission,
        viewer,
    )
    return RedirectResponse(f"/places/{place_id}/returns/{submission_id}", status_code=303)


@router.get("/places/{place_id}/classify")
def classify_page(
    request: Request,
    place_id: str,
    year: str | None = None,
    column: str = "service",
    q: str = "",
    agency: str = "",
    page: int = 1,
    saved: int | None = None,
) -> HTMLResponse:
    viewer = in_place(request, place_id, "publish")
    query = {"year": year or "", "column": column, "q": q, "agency": agency, "page": page}
    return _classify(request, viewer, place_id, query, {}, saved=saved)


def _classify(
    request: Request,
    viewer: Viewer,
    place_id: str,
    query: dict[str, Any],
    errors: dict[str, str],
    status_code: int = 200,
    saved: int | None = None,
) -> HTMLResponse:
    store = store_of(request)
    year = str(query.get("year") or "") or None
    with store.sessions() as session:
        place = place_queries.get_place(session, place_id)
        years = sorted(
            {s.financial_year for s in count_queries.current_submissions(session, place_id)},
            reverse=True,
        )
    view = None
    if year:
        try:
            parse_financial_year(year)
        except FinancialYearError as exc:
            raise HTTPException(status_code=404, detail=str(exc)) from exc
        view = classifying.classify_view(
            store,
            place_id,
            year,
            column=str(query.get("column") or "service"),
            search=str(query.get("q") or ""),
            page=int(query.get("page") or 1),
            agency_id=str(query.get("agency") or "") or None,
        )
    choices = [c for c in reference().cofog.values() if c.level != "class"]
    return render(
        request,
        "classify.html",
        {
            "viewer": viewer,
            "place": place,
            "year": year,
            "years": years,
            "view": view,
            "query": query,
            "fields": RULE_FIELDS,
            "field_labels": RULE_FIELD_LABELS,
            "matched": MATCHED_FIELDS,
            "choices": choices,
            "sercop": list(reference().sercop.values()),
            "errors": errors,
            "saved": saved,
        },
        status_code=status_code,
    )


def _back(place_id: str, query: dict[str, Any], saved: int | None = None) -> str:
    params = {k: v for k, v in query.items() if v not in (None, "", 1, "1")}
    if saved is not None:
        params["saved"] = saved
    return f"/places/{place_id}/classify?{urlencode(params)}"


def _query_of(form: Any) -> dict[str, Any]:
    """Where the person was on the classify page, to return them there."""
    return {
        "year": str(form.get("year") or ""),
        "column": str(form.get("column") or "service"),
        "q": str(form.get("q") or ""),
        "agency": str(form.get("agency") or ""),
        "page": str(form.get("page") or "1"),
    }


def _changes(form: Any) -> list[classifying.RuleChange]:
    """The codes chosen on the page: a code per row, and one code for every ticked row."""
    column = str(form.get("field") or form.get("column") or "service")
    bulk = str(form.get("bulk_cofog") or "")
    ticked = set(form.getlist("tick"))
    changes = []
    for number in form.getlist("row"):
        code = str(form.get(f"cofog:{number}") or "")
        if not code and bulk and number in ticked:
            code = bulk
        if code:
            changes.append(
                classifying.RuleChange(
                    str(form.get(f"agency_id:{number}") or ""),
                    column,
                    str(form.get(f"value:{number}") or ""),
                    code,
                    str(form.get(f"sercop:{number}") or "") or None,
                )
            )
    return changes


@router.post("/places/{place_id}/classify")
async def classify(request: Request, place_id: str) -> Response:
    """Save the codes chosen: only when the person presses Save, never on a change of
    a select (an arrow key in a select is not a decision)."""
    viewer = in_place(request, place_id, "publish")
    form = await request.form()
    check_csrf(request, str(form.get("csrf") or ""))
    query = _query_of(form)
    if form.get("service") and not form.getlist("row"):
        # One rule from a single-row form (the returns page, scripts).
        changes = [
            classifying.RuleChange(
                str(form.get("agency_id") or ""),
                str(form.get("field") or "service"),
                str(form.get("service") or ""),
                str(form.get("cofog") or ""),
                str(form.get("sercop") or "") or None,
            )
        ]
    else:
        changes = _changes(form)
    if not changes:
        return _classify(
            request,
            viewer,
            place_id,
            query,
            {"codes": "Choose a COFOG code for at least one name, then press Save."},
            status_code=400,
        )
    try:
        saved = classifying.save_rules(store_of(request), place_id, changes, viewer.email)
    except classifying.RuleError as exc:
        return _classify(request, viewer, place_id, query, {"codes": str(exc)}, status_code=400)
    return RedirectResponse(_back(place_id, query, saved), status_code=303)


@router.post("/places/{place_id}/classify/default")
async def classify_default(request: Request, place_id: str) -> Response:
    """An agency's default code: for every line of it nothing else classifies."""
    viewer = in_place(request, place_id, "publish")
    form = await request.form()
    check_csrf(request, str(form.get("csrf") or ""))
    query = _query_of(form)
    agency_id = str(form.get("agency_id") or "")
    change = classifying.RuleChange(agency_id, "agency", "", str(form.get("cofog") or ""))
    try:
        saved = classifying.save_rules(store_of(request), place_id, [change], viewer.email)
    except classifying.RuleError as exc:
        return _classify(
            request, viewer, place_id, query, {f"default-{agency_id}": str(exc)}, status_code=400
        )
    return RedirectResponse(_back(place_id, query, saved), status_code=303)


@router.post("/places/{place_id}/classify/rules/delete")
async def classify_delete(request: Request, place_id: str) -> Response:
    viewer = in_place(request, place_id, "publish")
    form = await request.form()
    check_csrf(request, str(form.get("csrf") or ""))
    query = _query_of(form)
    try:
        classifying.delete_rule(
            store_of(request),
            place_id,
            str(form.get("agency_id") or ""),
            str(form.get("field") or ""),
            str(form.get("value") or ""),
            viewer.email,
        )
    except classifying.RuleError as exc:
        return _classify(request, viewer, place_id, query, {"rules": str(exc)}, status_code=400)
    return RedirectResponse(_back(place_id, query) + "#rules", status_code=303)
