"""A place's rows of one table as plain records, and back: the generic half of the place
data package, so a capability's tables travel whole without a hand-written codec that
forgets a column when the table grows.

Records hold every column but the surrogate `id` and `place_id`; dates are ISO 8601 text.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import DateTime, Integer, delete, select
from sqlalchemy.orm import DeclarativeBase, Session

from totalplace.core.problems import ImportRejected, Problem

SKIPPED = ("id", "place_id")


def _columns(model: type[DeclarativeBase]) -> list[Any]:
    return [c for c in model.__table__.columns if c.name not in SKIPPED]


def records(session: Session, model: type[DeclarativeBase], place_id: str) -> list[dict[str, Any]]:
    """Every row of the place, in a stable order (the primary key's)."""
    table = model.__table__
    order = list(table.primary_key)
    rows = session.scalars(select(model).where(table.c.place_id == place_id).order_by(*order)).all()
    out = []
    for row in rows:
        record: dict[str, Any] = {}
        for column in _columns(model):
            value = getattr(row, column.key)
            record[column.name] = iso(value) if isinstance(value, datetime) else value
        out.append(record)
    return out


def iso(value: datetime) -> str:
    """Times are stored in UTC; SQLite hands them back without their zone."""
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()


def to_json(items: list[dict[str, Any]]) -> bytes:
    return (json.dumps(items, indent=2, ensure_ascii=False, sort_keys=True) + "\n").encode()


def pounds_name(column: str) -> str:
    """`running_cost_pence` is written `running_cost_gbp`, in pounds."""
    return column.removesuffix("_pence") + "_gbp"


def to_csv(
    model: type[DeclarativeBase], items: list[dict[str, Any]], money: tuple[str, ...] = ()
) -> bytes:
    names = [c.name for c in _columns(model)]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([pounds_name(n) if n in money else n for n in names])
    for item in items:
        writer.writerow([_cell(item[n], n in money) for n in names])
    return buffer.getvalue().encode()


def _cell(value: Any, pence: bool) -> Any:
    if value is None:
        return ""
    return f"{Decimal(int(value)) / 100:.2f}" if pence else value


def from_json(content: bytes, file: str) -> list[dict[str, Any]]:
    try:
        data = json.loads(content.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ImportRejected(
            [Problem("file-unreadable", f"the file is not valid JSON ({exc})", file=file)]
        ) from exc
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise ImportRejected(
            [Problem("file-unreadable", "the file must hold a list of records", file=file)]
        )
    return data


def from_csv(content: bytes, file: str, money: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportRejected(
            [Problem("file-unreadable", "the file is not UTF-8 text", file=file)]
        ) from exc
    items = list(csv.DictReader(io.StringIO(text)))
    problems = []
    for number, item in enumerate(items, start=1):
        for column in money:
            pounds = (item.pop(pounds_name(column), "") or "").strip()
            try:
                amount = Decimal(pounds) if pounds else None
            except ArithmeticError:
                amount = None
            if pounds and (amount is None or amount != amount.quantize(Decimal("0.01"))):
                problems.append(
                    Problem(
                        "not-a-number",
                        f"{pounds!r} is not an amount in pounds and pence",
                        file=file,
                        row=number + 1,
                        column=pounds_name(column),
                    )
                )
                continue
            item[column] = None if amount is None else str(int(amount * 100))
    if problems:
        raise ImportRejected(problems)
    return items


def add_records(
    session: Session,
    model: type[DeclarativeBase],
    place_id: str,
    items: list[dict[str, Any]],
    file: str,
) -> None:
    """Add the records as rows of the place; every problem names the file, row and column."""
    problems: list[Problem] = []
    for number, item in enumerate(items, start=1):
        values: dict[str, Any] = {"place_id": place_id}
        for column in _columns(model):
            try:
                values[column.key] = _value(column, item.get(column.name))
            except ValueError as exc:
                problems.append(
                    Problem("bad-record", str(exc), file=file, row=number, column=column.name)
                )
        session.add(model(**values))
    if problems:
        raise ImportRejected(problems)


def _value(column: Any, value: Any) -> Any:
    if value is None or value == "":
        if column.nullable:
            return None
        if value is None and column.default is None:
            raise ValueError("a value is needed")
        return value if value is not None else column.default.arg
    if isinstance(column.type, DateTime):
        try:
            return datetime.fromisoformat(str(value))
        except ValueError:
            raise ValueError(
                f"{value!r} is not a date and time like 2026-04-30T09:00:00+00:00"
            ) from None
    if isinstance(column.type, Integer) and not isinstance(value, int):
        try:
            return int(str(value))
        except ValueError:
            raise ValueError(f"{value!r} is not a whole number") from None
    return value


def delete_rows(session: Session, model: type[DeclarativeBase], place_id: str) -> None:
    session.execute(delete(model).where(model.__table__.c.place_id == place_id))
