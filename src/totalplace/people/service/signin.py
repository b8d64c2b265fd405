"""Signing in, with limits that hold across server processes (they are in the database).

Two limits (docs/decisions/0102-sign-in-limits.md): failures from one network address in
a window, against spraying many accounts; and a growing back-off per email address typed,
against guessing one account, which nobody can use to lock an account out for long.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from totalplace.core.store import audit as audit_store
from totalplace.core.store import base as store_base
from totalplace.core.store.db import Store
from totalplace.people import rules
from totalplace.people.service.accounts import (
    Person,
    normalise_email,
    start_session,
    user_by_email,
    verify,
)
from totalplace.people.tables import SignInBackoff, SignInFailure


@dataclass(frozen=True)
class SignInResult:
    """Either a person and the new session's cookie value, or a message to show."""

    person: Person | None = None
    token: str = ""
    refused: str = ""


def sign_in(store: Store, email: str, password: str, address: str) -> SignInResult:
    email = normalise_email(email)
    with store.transaction() as session:
        at = store_base.now()
        waiting = _address_refusal(session, address, at) or _backoff_refusal(session, email, at)
        if waiting:
            return SignInResult(refused=waiting)
        user = user_by_email(session, email)
        if user is None or not verify(user, password):
            _record_failure(session, email, address, at)
            return SignInResult(refused="The email address or password is not right.")
        session.execute(delete(SignInBackoff).where(SignInBackoff.email == email))
        token = start_session(session, user.id)
        return SignInResult(Person(user.id, user.email, user.name), token)


def _address_refusal(session: Session, address: str, at: datetime) -> str:
    since = at - rules.ADDRESS_WINDOW
    recent = session.scalar(
        select(func.count())
        .select_from(SignInFailure)
        .where(SignInFailure.address == address, SignInFailure.at >= since)
    )
    if (recent or 0) < rules.ADDRESS_FAILURES:
        return ""
    minutes = int(rules.ADDRESS_WINDOW.total_seconds() // 60)
    return (
        "Too many failed attempts from your network. "
        f"Wait {minutes} minutes, then try again, or ask your place's lead for help."
    )


def _backoff_refusal(session: Session, email: str, at: datetime) -> str:
    found = session.get(SignInBackoff, email)
    if found is None or found.blocked_until is None:
        return ""
    until = _aware(found.blocked_until)
    if until <= at:
        return ""
    return (
        f"Too many failed attempts for this account. Wait {rules.wait_words(until, at)}, "
        "then try again. Your place's lead can also let you in again from the People page."
    )


def _record_failure(session: Session, email: str, address: str, at: datetime) -> None:
    session.add(SignInFailure(address=address[:64], at=at))
    # Old records only slow the count down; they are cleared as new ones come.
    session.execute(delete(SignInFailure).where(SignInFailure.at < at - rules.ADDRESS_WINDOW))
    found = session.get(SignInBackoff, email)
    if found is None:
        found = SignInBackoff(email=email, failures=0, last_failed_at=at)
        session.add(found)
    found.failures += 1
    found.last_failed_at = at
    wait = rules.backoff(found.failures)
    found.blocked_until = at + wait if wait else None


def unlock(session: Session, email: str, actor: str, place_id: str) -> bool:
    """Clears an account's back-off; True if it was waiting."""
    found = session.get(SignInBackoff, normalise_email(email))
    if found is None:
        return False
    session.delete(found)
    audit_store.audit(session, actor, "unlock-sign-in", place_id, {"email": email})
    return True


def waiting(session: Session, email: str) -> bool:
    """Whether this account is in a back-off window now, for the People page."""
    found = session.get(SignInBackoff, normalise_email(email))
    return (
        found is not None
        and found.blocked_until is not None
        and _aware(found.blocked_until) > store_base.now()
    )


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
