"""What makes a password acceptable, and how long a sign-in must wait after failures.

Passwords follow the NCSC's guidance: a minimum length, a generous maximum, no
composition rules, and a block on the passwords attackers try first (zxcvbn's
frequency lists, with its pattern matching for `password1234`-style variations).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from zxcvbn import zxcvbn

MIN_PASSWORD = 12
# Checked before hashing, so a megabyte of password cannot tie up the hasher.
MAX_PASSWORD = 256
# zxcvbn's estimate of guesses below which a password is among the first an attacker tries
# (its scores 0 and 1: "too guessable" and "very guessable").
MIN_GUESSES = 10**6
# zxcvbn's work grows with length; the first 100 characters are plenty to judge.
_JUDGED = 100

ADVICE = "Use three or more random words together, or let a password manager make one."

# Sign-in limits (docs/decisions/0102-sign-in-limits.md).
ADDRESS_FAILURES = 20
ADDRESS_WINDOW = timedelta(minutes=15)
FREE_FAILURES = 5
FIRST_BACKOFF = timedelta(seconds=30)
LONGEST_BACKOFF = timedelta(minutes=15)


def password_problem(password: str, known: tuple[str, ...] = ()) -> str | None:
    """Why this password will not do, said as what to do instead; None if it is fine.

    `known` are words the person's account already gives away (email, name).
    """
    if len(password) > MAX_PASSWORD:
        return f"Choose a password of at most {MAX_PASSWORD} characters."
    if len(password) < MIN_PASSWORD:
        return f"Choose a password of at least {MIN_PASSWORD} characters. {ADVICE}"
    if not password.strip():
        return f"A password cannot be only spaces. {ADVICE}"
    if len(set(password)) == 1:
        return f"A password cannot be one character repeated. {ADVICE}"
    judged = zxcvbn(password[:_JUDGED], user_inputs=[k for k in known if k])
    if float(judged["guesses"]) < MIN_GUESSES:
        warning = str(
            judged["feedback"].get("warning")
            or "it is too like a common password or your own details"
        )
        return f"This password is too easy to guess: {warning.rstrip('.')}. {ADVICE}"
    return None


def backoff(failures: int) -> timedelta:
    """How long an account waits after this many failures in a row: nothing for the first
    few (typing slips), then windows that start short and double, to a ceiling. The
    windows are short so that nobody can keep someone else locked out for long."""
    if failures < FREE_FAILURES:
        return timedelta(0)
    doubled: timedelta = FIRST_BACKOFF * 2 ** min(failures - FREE_FAILURES, 16)
    return min(doubled, LONGEST_BACKOFF)


def wait_words(until: datetime, now: datetime) -> str:
    """'30 seconds', '4 minutes': how long is left, rounded up, for a person to read."""
    seconds = max(1, int((until - now).total_seconds() + 0.999))
    if seconds < 90:
        return f"{seconds} seconds"
    return f"{(seconds + 59) // 60} minutes"
