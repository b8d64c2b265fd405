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
    if is_missing(service):
        return []
    labels = {c.label.casefold(): c for c in reference.cofog.values() if c.level != "class"}
    words = _significant_words(service)
    for label in difflib.get_close_matches(service.casefold(), list(labels), n=limit, cutoff=0.6):
        item = labels[label]
        # Spelling alone misleads ("payroll services" looks like "police services"):
        # a close label must also share a word that names a function.
        shared = words & _significant_words(item.label)
        if item.code not in seen and shared:
            found.append(
                Suggestion(
                    item.code,
                    None,
                    f"close to COFOG {item.label!r} (both say {sorted(shared)[0]!r})",
                )
            )
            seen.add(item.code)
    return found[:limit]


# Words every other label has: sharing one says nothing about the function.
_GENERIC_WORDS = frozenset(
    {"services", "service", "and", "of", "the", "n.e.c.", "general", "affairs", "r&d", "other"}
)


def _significant_words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9&.+-]+", text.casefold()) if w not in _GENERIC_WORDS}


def _contains_word(padded_name: str, keyword: str) -> bool:
    pattern = r"(?<![a-z0-9])" + re.escape(keyword.casefold()) + r"(?![a-z0-9])"
    return re.search(pattern, padded_name) is not None


# What a rule can match, in the order rules apply: a line's own COFOG code always wins,
# then the columns that name a function most directly (the service or cost centre),
# then what was bought (expense type, Proclass), then who was paid (a supplier may serve
# several functions), then a word in the free-text description (loosest), and last the
# agency's default, which catches every line nothing else coded.
RULE_FIELDS: tuple[tuple[str, str], ...] = (
    ("service", "Service"),
    ("cost_centre", "Cost centre"),
    ("expense_type", "Expense type"),
    ("proclass", "Proclass code"),
    ("supplier", "Supplier"),
    ("description", "Word in the description"),
    ("agency", "Agency default"),
)
FIELD_LABELS = dict(RULE_FIELDS)
MATCHED_FIELDS = tuple(name for name, _label in RULE_FIELDS if name != "agency")

# Ledgers write "no value" in many ways; none of them is a service worth counting.
MISSING_VALUES = frozenset({"", "na", "n/a", "n.a.", "-", "--", "null", "none", "#n/a"})


def is_missing(value: str | None) -> bool:
    return value is None or value.strip().casefold() in MISSING_VALUES


def match_key(value: str) -> str:
    """Rules match a name whatever its case or surrounding spaces: ledgers differ."""
    return " ".join(value.split()).casefold()


# A suggestion for an agency with no service column: what its kind of body does.
AGENCY_TYPE_DEFAULTS: dict[str, tuple[str, str]] = {
    "police": ("03.1", "police forces spend on police services"),
    "fire and rescue": ("03.2", "fire and rescue services spend on fire protection"),
    "probation": ("03.6", "probation is public order and safety not elsewhere classified"),
    "NHS commissioner": ("07", "an NHS commissioner (e.g. an ICB) spends on health"),
    "NHS trust": ("07.3", "an NHS trust spends on hospital services"),
    "DWP/Jobcentre Plus": ("10", "DWP and Jobcentre Plus spend on social protection"),
    "housing association": ("06.1", "housing associations spend on housing development"),
}


def agency_default_suggestion(agency_type: str) -> Suggestion | None:
    """A default code suggested from the agency's type; councils do too many things
    for one default, so they get none."""
    found = AGENCY_TYPE_DEFAULTS.get(agency_type)
    if found is None:
        return None
    code, why = found
    return Suggestion(code, None, f"the agency is a {agency_type}: {why}")
