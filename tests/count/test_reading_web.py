"""The upload, column check and problem pages keep what people send in view."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.count.test_workflow import follow_import
from tests.workspace import Workspace, csrf

P = "/places/testshire"
SELECTED = r'name="(map:\d+:\w+)">(?:(?!</select>).)*?<option value="([^"]*)" selected'


def upload(client: TestClient, files: list[tuple[str, bytes]], year: str, **form: str) -> str:
    response = client.post(
        f"{P}/agencies/council/upload",
        data={"csrf": csrf(client, f"{P}/agencies/council/upload"), "year": year, **form},
        files=[("files", (name, content, "text/csv")) for name, content in files],
    )
    assert response.status_code == 303, response.text
    return str(response.headers["location"])


def check_and_import(client: TestClient, preview: str, **form: str) -> tuple[str, object]:
    page = client.get(preview)
    assert page.status_code == 200
    chosen = dict(re.findall(SELECTED, page.text, flags=re.S))
    started = client.post(preview, data={"csrf": csrf(client, preview), **chosen, **form})
    # The import runs as a job; its page ends on the return or on the problems.
    return page.text, follow_import(client, started)


def test_a_wrong_year_upload_is_one_grouped_problem_then_an_in_year_import(
    workspace: Workspace,
) -> None:
    council = workspace.client("contributor")
    rows = "".join(f"2021-0{m}-01,Acme,{m}00\n" for m in range(4, 10))
    ledger = ("Date,Supplier,Amount\n" + rows + "2022-04-01,Acme,1\n").encode()
    preview = upload(council, [("ledger.csv", ledger)], "2021/22")
    page, rejected = check_and_import(council, preview)
    # The column check offers every field of the returns format.
    for field in ("counterparty_agency_id", "funding_source", "themes", "financial_year"):
        assert f'name="map:0:{field}"' in page
    assert "ledger.csv: header on row 1" in page
    assert rejected.status_code == 400  # type: ignore[attr-defined]
    text = rejected.text  # type: ignore[attr-defined]
    assert text.count('class="govuk-table__row problem-group"') == 1
    assert "1 of 7 dates are outside 2021-22" in text
    # The whole list as a download, and the files kept for the retry.
    assert f"{preview}/problems.csv" in text and f'href="{preview}"' in text
    listed = council.get(f"{preview}/problems.csv")
    assert listed.status_code == 200 and listed.text.startswith("code,file,sheet,row")
    _page, done = check_and_import(council, preview, outside_year="leave-out", year="2021-22")
    assert done.status_code == 303, done.text  # type: ignore[attr-defined]
    shown = council.get(done.headers["location"])  # type: ignore[attr-defined]
    assert "Rows left out (1)" in shown.text and "dated 2022-04-01, outside 2021-22" in shown.text
    download = council.get(done.headers["location"] + "/left-out.csv")  # type: ignore[attr-defined]
    assert download.text.splitlines()[1] == 'ledger.csv,,8,1.00,"dated 2022-04-01, outside 2021-22"'


def test_a_re_upload_with_a_new_column_keeps_it(workspace: Workspace) -> None:
    council = workspace.client("contributor")
    first = b"Date,Service,Net Amount\n2021-04-01,Parks,10\n"
    _page, done = check_and_import(council, upload(council, [("v1.csv", first)], "2021-22"))
    assert done.status_code == 303  # type: ignore[attr-defined]
    second = b"Date,Service,Net Amount,COFOG\n2021-04-01,Parks,10,08.1\n"
    page, done = check_and_import(council, upload(council, [("v2.csv", second)], "2021-22"))
    assert re.search(r'name="map:0:cofog">(?:(?!</select>).)*?value="COFOG" selected', page, re.S)
    assert done.status_code == 303  # type: ignore[attr-defined]
    store = workspace.store
    from totalplace.count import tables as count_tables

    with store.sessions() as session:
        latest = count_tables.submissions_for(session, "testshire", "council", "2021-22")[-1]
    assert store.lines.read(latest.lines_file)["cofog"].to_list() == ["08.1"]


def test_hidden_sheets_are_flagged_in_the_column_check(workspace: Workspace) -> None:
    import io

    import openpyxl

    book = openpyxl.Workbook()
    data = book.active
    assert data is not None
    data.title = "Spend"
    data.append(["Date", "Supplier", "Amount"])
    data.append(["2021-04-01", "Acme", 100])
    copy = book.create_sheet("Old copy")
    copy.append(["Date", "Supplier", "Amount"])
    copy.append(["2021-04-01", "Acme", 100])
    copy.sheet_state = "hidden"
    out = io.BytesIO()
    book.save(out)
    council = workspace.client("contributor")
    preview = upload(council, [("book.xlsx", out.getvalue())], "2021-22")
    page = council.get(preview).text
    assert "Hidden sheets: book.xlsx sheet &#39;Old copy&#39;. They are left out" in page
    assert "book.xlsx sheet &#39;Old copy&#39; (a hidden sheet)" in page
    again = upload(council, [("book.xlsx", out.getvalue())], "2021-22", include_hidden="yes")
    page = council.get(again).text
    assert "They are read" in page and "sheet &#39;Old copy&#39;: header on row 1" in page
