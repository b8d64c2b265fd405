"""Functional classification: COFOG codes, SeRCOP divisions, and suggestions for the
service names agencies use themselves."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from totalplace.core.reference import Cofog, Keyword, Reference, Sercop

# The reference types live with the reference data in core; named here too for the rules.
__all__ = ["Cofog", "Keyword", "Reference", "Sercop"]

_COFOG = re.compile(r"^(0[1-9]|10)(\.\d(\.\d)?)?$")


@dataclass(frozen=True)
class Suggestion:
    cofog: str
    sercop: str | None
    reason: str


def is_cofog_code(code: str) -> bool:
    return bool(_COFOG.match(code))


def normalise_cofog(text: str) -> str:
    """`7.3`, `07.3`, `7.` and `07` all name COFOG codes; store the two-digit form.

    Anything else is returned as it is, for the caller to reject.
    """
    cleaned = text.strip().rstrip(".")
    head = re.fullmatch(r"(\d{1,2})((?:\.\d){0,2})", cleaned)
    if not head:
        return cleaned
    return f"{int(head.group(1)):02d}{head.group(2)}"


def suggest(service: str, reference: Reference, limit: int = 3) -> list[Suggestion]:
    """Suggestions for a person to accept or correct, best first; never applied silently."""
    name = f" {service.casefold()} "
    found: list[Suggestion] = []
    seen: set[str] = set()
    # Longer keywords are more specific ("public health" before "health").
    for kw in sorted(reference.keywords, key=lambda k: -len(k.keyword)):
        if _contains_word(name, kw.keyword) and kw.cofog not in seen:
            found.append(Suggestion(kw.cofog, kw.sercop, f"the name contains {kw.keyword!r}"))
            seen.add(kw.cofog)
    labels = {c.label.casefold(): c for c in reference.cofog.values() if c.level != "class"}
    for label in difflib.get_close_matches(service.casefold(), list(labels), n=limit, cutoff=0.6):
        item = labels[label]
        if item.code not in seen:
            found.append(Suggestion(item.code, None, f"close to COFOG {item.label!r}"))
            seen.add(item.code)
    return found[:limit]


def _contains_word(padded_name: str, keyword: str) -> bool:
    pattern = r"(?<![a-z0-9])" + re.escape(keyword.casefold()) + r"(?![a-z0-9])"
    return re.search(pattern, padded_name) is not None
