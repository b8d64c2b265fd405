"""Recently deleted, in the workspace: what the place's people deleted in the last 30
days, and a button to put each back."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from totalplace.core.web.pages import render
from totalplace.core.web.security import Viewer, check_csrf, in_place, place_of, store_of
from totalplace.deleted import service as deleted_service

router = APIRouter(include_in_schema=False)


def _page(
    request: Request, viewer: Viewer, place_id: str, restored: str | None = None
) -> HTMLResponse:
    return render(
        request,
        "deleted.html",
        {
            "viewer": viewer,
            "place": place_of(request, place_id),
            "rows": deleted_service.recently_deleted(store_of(request), place_id),
            "kinds": deleted_service.KINDS,
            "restored": restored,
        },
    )


@router.get("/places/{place_id}/deleted")
def recently_deleted(request: Request, place_id: str) -> HTMLResponse:
    return _page(request, in_place(request, place_id, "analyse"), place_id)


@router.post("/places/{place_id}/deleted/{number:int}/restore")
async def restore(request: Request, place_id: str, number: int) -> HTMLResponse:
    viewer = in_place(request, place_id, "analyse")
    form = await request.form()
    check_csrf(request, str(form.get("csrf") or ""))
    label = deleted_service.restore(store_of(request), place_id, number, viewer.email)
    return _page(request, viewer, place_id, label)
