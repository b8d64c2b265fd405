"""The returns workflow: sent back with a comment, withdrawn, a draft deleted, and a
superseded version that cannot be accepted."""

from __future__ import annotations

from tests.count.test_workflow import import_with_recognised_columns, messy_return, upload
from tests.workspace import Workspace, csrf
from totalplace.core.store import audit as audit_store
from totalplace.count.service.counting import count_place
from totalplace.count.tables import Submission

P = "/places/testshire"


def draft(workspace: Workspace, amount: object = 300) -> str:
    council = workspace.client("contributor")
    done = import_with_recognised_columns(council, upload(council, messy_return(amount)))
    return str(done.headers["location"])  # type: ignore[attr-defined]


def post(client, path: str, action: str, **data: str):  # type: ignore[no-untyped-def]
    return client.post(f"{path}/{action}", data={"csrf": csrf(client, path), **data})


def test_an_analyst_sends_a_return_back_with_a_comment(workspace: Workspace) -> None:
    path = draft(workspace)
    council, analyst = workspace.client("contributor"), workspace.client("analyst")
    assert post(council, path, "submit").status_code == 303
    empty = post(analyst, path, "send-back", comment="  ")
    assert empty.status_code == 400 and "Say what the agency should fix" in empty.text
    sent = post(analyst, path, "send-back", comment="Row 7 is a duplicate of row 4.")
    assert sent.status_code == 303
    page = council.get(path).text
    assert "Sent back" in page and "Row 7 is a duplicate of row 4." in page
    assert "Testshire Council: 2010-11 return" in page  # the name, not the id
    assert post(council, path, "submit").status_code == 303  # submitted again
    with workspace.store.sessions() as session:
        actions = [e.action for e in audit_store.audit_log(session, "testshire")]
    assert "send-back-return" in actions


def test_a_contributor_withdraws_a_submission_and_deletes_a_draft(workspace: Workspace) -> None:
    path = draft(workspace)
    council = workspace.client("contributor")
    post(council, path, "submit")
    assert post(council, path, "withdraw").status_code == 303
    assert ">draft<" in council.get(path).text
    gone = post(council, path, "delete")
    assert gone.status_code == 303 and "/returns?year=2010-11" in gone.headers["location"]
    assert council.get(path).status_code == 404
    submission_id = int(path.rsplit("/", 1)[1])
    with workspace.store.sessions() as session:
        assert session.get(Submission, submission_id) is None
    # Only a draft can be deleted: a submitted return is refused, plainly.
    second = draft(workspace)
    post(council, second, "submit")
    refused = post(council, second, "delete")
    assert refused.status_code == 409 and "withdraw a submission first" in refused.text


def test_a_superseded_version_cannot_be_accepted(workspace: Workspace) -> None:
    council, analyst = workspace.client("contributor"), workspace.client("analyst")
    older = draft(workspace, 300)
    post(council, older, "submit")
    newer = draft(workspace, 400)
    post(council, newer, "submit")
    # Submitting the newer version supersedes the older one still waiting.
    assert "Superseded by a newer version" in analyst.get(older).text
    refused = post(analyst, older, "accept")
    assert refused.status_code == 409 and "superseded" in refused.text
    assert post(analyst, newer, "accept").status_code == 303
    total = count_place("testshire", "2010-11", store=workspace.store).total_pence
    assert total == 1_390_050  # the newer version replaced the council's figures
