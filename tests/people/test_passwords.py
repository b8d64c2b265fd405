"""Passwords, as the NCSC advises: long enough, not absurdly long, not a common one."""

from __future__ import annotations

import time

import pytest

from tests.workspace import PASSWORD, Workspace, csrf
from totalplace.people import rules
from totalplace.people import service as people

# Each was accepted on main.
REFUSED = {
    " " * 12: "cannot be only spaces",
    "aaaaaaaaaaaa": "cannot be one character repeated",
    "password1234": "too easy to guess",
    "x" * 1_000_000: "at most 256 characters",
    "short": "at least 12 characters",
}


@pytest.mark.parametrize("password", list(REFUSED))
def test_weak_passwords_are_refused_with_what_to_do(password: str) -> None:
    problem = rules.password_problem(password)
    assert problem is not None and REFUSED[password] in problem
    assert "Use three or more random words" in problem or "at most" in problem


@pytest.mark.parametrize(
    "password",
    [PASSWORD, "a much longer secret", "Tr0ub4dor&3xyz", "purple elephant dancing under moonlight"],
)
def test_good_passwords_are_accepted(password: str) -> None:
    assert rules.password_problem(password[: rules.MAX_PASSWORD]) is None


def test_the_length_is_checked_before_hashing() -> None:
    started = time.monotonic()
    with pytest.raises(people.PeopleError, match="at most 256"):
        people.hash_password("y" * 1_000_000)
    assert time.monotonic() - started < 0.5


def test_a_password_like_the_address_is_refused() -> None:
    problem = rules.password_problem("lead@testshire.test1", ("lead@testshire.test", "Lead"))
    assert problem is not None and "too easy to guess" in problem


def test_a_common_password_is_refused_on_your_account(workspace: Workspace) -> None:
    viewer = workspace.client("viewer")
    for weak, message in REFUSED.items():
        response = viewer.post(
            "/account", data={"csrf": csrf(viewer, "/account"), "current": PASSWORD, "new": weak}
        )
        assert response.status_code == 400 and message in response.text, weak
