"""Returns that would overflow, and uploads that would not stop: refused, with a problem or
a 413, never a wrong total or a stored file."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from fastapi import Request

from tests.helpers import HANDMADE
from tests.workspace import Workspace, csrf
from totalplace.core.problems import ImportRejected, Problem
from totalplace.core.store.db import Store
from totalplace.count.service.returns import import_return
from totalplace.places.service.packages import import_package

P = "/places/testshire"
HUGE = "£999,999,999,999,999.99"


@pytest.fixture
def place(store: Store) -> Store:
    import_package(HANDMADE, store=store)
    return store


def ledger(path: Path, amounts: list[str]) -> Path:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Payment Date", "Supplier", "Amount"])
        for amount in amounts:
            writer.writerow(["2010-05-01", "Acme Ltd", amount])
    return path


def rejected(place: Store, files: list[Path]) -> list[Problem]:
    with pytest.raises(ImportRejected) as caught:
        import_return("council", files, "2010-11", store=place)
    return caught.value.problems


def test_amounts_that_add_up_past_int64_pence_are_refused(place: Store, tmp_path: Path) -> None:
    """100 such lines once wrapped round to a total of -£8.4e16 and were accepted."""
    problems = rejected(place, [ledger(tmp_path / "huge.csv", [HUGE] * 100)])
    assert [p.code for p in problems] == ["total-too-large"]
    # 92 lines of £1e15 fit in £9.22e16; the 93rd takes the total past it (row 94).
    assert (problems[0].file, problems[0].row, problems[0].column) == ("huge.csv", 94, "Amount")


def test_a_total_that_fits_is_kept_to_the_penny(place: Store, tmp_path: Path) -> None:
    result = import_return(
        "council", [ledger(tmp_path / "big.csv", [HUGE] * 92)], "2010-11", store=place
    )
    assert result is not None
    assert result.total_pence == 92 * 99_999_999_999_999_999


def test_an_amount_over_fifteen_digits_of_pounds_says_so(place: Store, tmp_path: Path) -> None:
    problems = rejected(place, [ledger(tmp_path / "one.csv", ["12", "1234567890123456.00"])])
    assert [(p.code, p.row) for p in problems] == [("amount-too-large", 3)]


def test_a_huge_number_in_a_workbook_is_a_problem_not_a_crash(place: Store, tmp_path: Path) -> None:
    """1e300 used to reach Decimal.quantize, which raises InvalidOperation."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Payment Date", "Supplier", "Amount"])
    sheet.append(["2010-05-01", "Acme Ltd", 1e300])
    sheet.append(["2010-05-02", "Acme Ltd", 12.5])
    book.save(tmp_path / "float.xlsx")
    problems = rejected(place, [tmp_path / "float.xlsx"])
    assert [(p.code, p.sheet, p.row) for p in problems] == [("amount-too-large", "Sheet", 2)]


def test_amounts_in_thousands_that_pass_the_limit_say_so(place: Store, tmp_path: Path) -> None:
    path = tmp_path / "thousands.csv"
    path.write_text("Payment Date,Supplier,Amount £000\n2010-05-01,Acme,999999999999999\n")
    assert [p.code for p in rejected(place, [path])] == ["amount-too-large"]


def test_package_amounts_that_overflow_are_refused(store: Store, tmp_path: Path) -> None:
    package = tmp_path / "package"
    package.mkdir()
    for name in ("place.csv", "agencies.csv"):
        (package / name).write_bytes((HANDMADE / name).read_bytes())
    lines = ["agency_id,financial_year,amount_gbp"]
    lines += ["council,2009-10,999999999999999.99"] * 100
    (package / "returns.csv").write_text("\n".join(lines) + "\n")
    with pytest.raises(ImportRejected) as caught:
        import_package(package, store=store)
    assert caught.value.problems[0].code == "total-too-large"
    assert caught.value.problems[0].file == "returns.csv"


# ---- the upload limit, counted as the body arrives ----------------------------------


def chunked(fields: dict[str, str], name: str, size: int) -> tuple[Iterator[bytes], str]:
    """A multipart body sent in 64 KB chunks with no Content-Length, as curl -T - does."""
    boundary = "totalplace-boundary"
    head = io.BytesIO()
    for key, value in fields.items():
        part = f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n'
        head.write(f"{part}{value}\r\n".encode())
    head.write(
        f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{name}"\r\n'
        "Content-Type: text/csv\r\n\r\nPayment Date,Supplier,Amount\r\n".encode()
    )

    def body() -> Iterator[bytes]:
        yield head.getvalue()
        row = b"2010-05-01,Acme Ltd,12.50\r\n" * 2400
        for _ in range(size // len(row) + 1):
            yield row
        yield f"\r\n--{boundary}--\r\n".encode()

    return body(), f"multipart/form-data; boundary={boundary}"


def test_a_chunked_upload_over_the_limit_is_refused_and_not_stored(
    workspace: Workspace,
) -> None:
    client = workspace.client("contributor")
    client.app.state.max_upload_bytes = 2**20  # type: ignore[attr-defined]
    form = f"{P}/agencies/council/upload"
    body, kind = chunked({"csrf": csrf(client, form), "year": "2010-11"}, "big.csv", 3 * 2**20)
    response = client.post(form, content=body, headers={"Content-Type": kind})
    assert response.status_code == 413
    assert "too big" in response.text and "1 MB" in response.text
    uploads = workspace.home / "uploads"
    assert not uploads.exists() or not any(uploads.iterdir())


def test_a_chunked_upload_under_the_limit_still_works(workspace: Workspace) -> None:
    client = workspace.client("contributor")
    form = f"{P}/agencies/council/upload"
    body, kind = chunked({"csrf": csrf(client, form), "year": "2010-11"}, "small.csv", 2**16)
    response = client.post(form, content=body, headers={"Content-Type": kind})
    assert response.status_code == 303, response.text


def test_a_chunked_api_request_over_the_limit_is_a_json_413(workspace: Workspace) -> None:
    client = workspace.client("analyst")
    app = client.app
    app.state.max_upload_bytes = 2**20  # type: ignore[attr-defined]

    @app.post("/api/test-echo")  # type: ignore[attr-defined, misc]
    async def echo(request: Request) -> dict[str, int]:
        return {"bytes": len(await request.body())}

    body, kind = chunked({}, "big.csv", 3 * 2**20)
    response = client.post("/api/test-echo", content=body, headers={"Content-Type": kind})
    assert response.status_code == 413
    assert "too big" in response.json()["detail"]
    body, kind = chunked({}, "small.csv", 2**16)
    response = client.post("/api/test-echo", content=body, headers={"Content-Type": kind})
    assert response.status_code == 200 and response.json()["bytes"] > 2**16


def test_a_chunked_case_upload_over_the_limit_is_refused(workspace: Workspace) -> None:
    client = workspace.client("lead")
    client.app.state.max_upload_bytes = 2**20  # type: ignore[attr-defined]
    body, kind = chunked({"csrf": csrf(client, f"{P}/cases")}, "big.csv", 3 * 2**20)
    response = client.post(f"{P}/cases", content=body, headers={"Content-Type": kind})
    assert response.status_code == 413
    assert "too big" in response.text
