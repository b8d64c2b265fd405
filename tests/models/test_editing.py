"""A cost-of-failure model downloaded as the file it was made from, deleted and restored."""

from __future__ import annotations

import json
import re

from tests.helpers import DATA
from tests.workspace import Workspace, csrf

P = "/places/testshire"


def test_a_model_downloads_deletes_and_restores(workspace: Workspace) -> None:
    analyst = workspace.client("analyst")
    content = (DATA / "models" / "hiv_chancellor_1997.json").read_bytes()
    made = analyst.post(
        f"{P}/models",
        data={"csrf": csrf(analyst, f"{P}/models")},
        files={"file": ("hiv.json", content)},
    )
    path = made.headers["location"]
    download = analyst.get(f"{path}.json")
    assert download.status_code == 200
    again = analyst.post(
        f"{P}/models",
        data={"csrf": csrf(analyst, f"{P}/models")},
        files={"file": ("again.json", download.content)},
    )
    assert again.status_code == 303
    assert json.loads(analyst.get(f"{again.headers['location']}.json").content) == json.loads(
        download.content
    )
    assert "Delete the cost-of-failure model" in analyst.get(f"{path}/delete").text
    assert analyst.post(f"{path}/delete", data={"csrf": csrf(analyst, path)}).status_code == 303
    assert analyst.get(path).status_code == 404
    page = analyst.get(f"{P}/deleted")
    assert "Cost-of-failure model: " in page.text
    number = re.search(r"/deleted/(\d+)/restore", page.text)
    assert number
    back = analyst.post(
        f"{P}/deleted/{number.group(1)}/restore", data={"csrf": csrf(analyst, f"{P}/deleted")}
    )
    assert back.status_code == 200
    assert len(re.findall(r'/models/\d+">', analyst.get(f"{P}/models").text)) == 2
    assert workspace.client("viewer").get(f"{path}/delete").status_code == 403
