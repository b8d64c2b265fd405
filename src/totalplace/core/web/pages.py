"""Rendering pages: the Jinja environment, its filters, and what every page is given."""

from __future__ import annotations

import json
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol, TypeVar

from fastapi import HTTPException, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from totalplace.core.money import format_gbp
from totalplace.core.reference import reference
from totalplace.core.registry import templates
from totalplace.core.web.security import csrf_token

# The shell's own templates first, then each capability's `templates/` folder.
TEMPLATES = [str(Path(__file__).parent / "templates"), *templates()]


class _Numbered(Protocol):
    id: int


R = TypeVar("R", bound=_Numbered)


def numbered(rows: Iterable[R], number: int, what: str) -> R:
    """The row with this number, or a Not Found page naming what was asked for."""
    found = next((r for r in rows if r.id == number), None)
    if found is None:
        raise HTTPException(status_code=404, detail=f"There is no {what} {number} in this place.")
    return found


def _gbp(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, int):
        return format_gbp(value)
    pounds = Decimal(str(value))
    sign = "-" if pounds < 0 else ""
    return f"{sign}£{abs(pounds):,.2f}"


def _gbp_short(value: object) -> str:
    """£2.03bn, £14.7m: for headlines; tables always show pounds and pence."""
    pounds = Decimal(str(value or 0))
    sign = "-" if pounds < 0 else ""
    size = abs(pounds)
    for limit, suffix in (
        (Decimal(10) ** 9, "bn"),
        (Decimal(10) ** 6, "m"),
        (Decimal(10) ** 3, "k"),
    ):
        if size >= limit:
            return f"{sign}£{size / limit:,.2f}{suffix}"
    return f"{sign}£{size:,.2f}"


def _cofog_label(code: object) -> str:
    if code is None:
        return "Unclassified"
    item = reference().cofog.get(str(code))
    return item.label if item else str(code)


def _percent(value: object) -> str:
    return f"{Decimal(str(value or 0)) * 100:.1f}%"


environment = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)
environment.filters.update(
    gbp=_gbp, gbp_short=_gbp_short, cofog_label=_cofog_label, percent=_percent
)


def render(
    request: Request, name: str, context: dict[str, Any], status_code: int = 200
) -> HTMLResponse:
    values = {
        "request": request,
        "csrf_token": csrf_token(request),
        "viewer": None,
        "place": None,
        "path": request.url.path,
        **context,
    }
    html = environment.get_template(name).render(**values)
    return HTMLResponse(html, status_code=status_code)


def json_text(value: object) -> str:
    return json.dumps(value, default=str)
