"""Insight and the learning history: people's own words, attributed to a role and never a
name, coded with themes, balanced, and told section by section."""

from __future__ import annotations

import difflib
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

HOPEFUL = {
    "opportunity",
    "better",
    "together",
    "improve",
    "improved",
    "positive",
    "hope",
    "hopeful",
    "energy",
    "enthusiasm",
    "success",
    "successful",
    "worked",
    "works",
    "trust",
    "shared",
    "brilliant",
    "good",
    "great",
    "excited",
    "progress",
}
SCEPTICAL = {
    "doubt",
    "sceptical",
    "skeptical",
    "cynical",
    "worry",
    "worried",
    "fear",
    "afraid",
    "barrier",
    "barriers",
    "never",
    "won't",
    "can't",
    "cannot",
    "failed",
    "fail",
    "waste",
    "frustrated",
    "frustrating",
    "problem",
    "problems",
    "difficult",
    "hard",
    "risk",
    "unlikely",
    "not",
}
_WORD = re.compile(r"[a-z']+")


@dataclass
class Quote:
    id: str
    text: str
    role: str | None  # a taxonomy entry, or None while unattributed
    speaker: str | None = None  # a pseudonym, never a name
    place: str | None = None
    section: str | None = None  # the phase of the history it belongs to
    themes: list[str] = field(default_factory=list)  # hierarchical: "Money/Pooled budgets"
    sentiment: str | None = None  # the tone suggested from its words: hopeful or sceptical
    source: str = ""
    flags: list[str] = field(default_factory=list)  # identifiable details to check
    approved: bool = False  # a person has checked it may be published
    context: str | None = None  # the interviewer's question it answers: context, not a quote
    tone: str | None = None  # the tone a person set: hopeful, sceptical or neutral

    @property
    def settled_tone(self) -> str | None:
        """The tone a person set, or while none is set the suggested one."""
        if self.tone is not None:
            return None if self.tone == "neutral" else self.tone
        return self.sentiment


TONES = ("hopeful", "sceptical", "neutral")
# The people who ask, not answer: their words are the context of the next answer.
_INTERVIEWER = re.compile(
    r"^(?:the\s+)?(?:interviewer|facilitator|moderator|researcher|q|question)\b[\s\d.]*$",
    re.IGNORECASE,
)


def is_interviewer(speaker: str, written_role: str | None = None) -> bool:
    """A turn by whoever asks the questions ("Interviewer", "Q", "Facilitator 2", or a
    speaker given the role "Interviewer")."""
    return bool(
        _INTERVIEWER.match(speaker.strip())
        or (written_role and _INTERVIEWER.match(written_role.strip()))
    )


def match_role(text: str, taxonomy: Sequence[str], cutoff: float = 0.75) -> str | None:
    """The taxonomy entry a role line names, tolerant of case, spacing and misspelling."""
    # Dashes and curly quotes as typeset reports print them.
    dashes = "-\u2013\u2014"
    cleaned = re.sub(r"\s+", " ", text.strip(f" {dashes}()[]\t").replace("\u2019", "'")).strip()
    folded = {t.casefold(): t for t in taxonomy}
    if cleaned.casefold() in folded:
        return folded[cleaned.casefold()]
    close = difflib.get_close_matches(cleaned.casefold(), list(folded), n=1, cutoff=cutoff)
    return folded[close[0]] if close else None


def sentiment_of(text: str) -> str | None:
    words = _WORD.findall(text.lower())
    hopeful = sum(w in HOPEFUL for w in words)
    sceptical = sum(w in SCEPTICAL for w in words)
    if hopeful == sceptical:
        return None
    return "hopeful" if hopeful > sceptical else "sceptical"


_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_PHONE = re.compile(r"\b(?:\+44\s?|0)\d{2,4}[\s-]?\d{3,4}[\s-]?\d{3,4}\b")
_POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b")
_TITLED = re.compile(r"\b(?:Mr|Mrs|Ms|Miss|Dr|Cllr|Councillor|Sir|Dame|Lord|Lady)\.?\s+[A-Z][a-z]+")


def identifiable(text: str, names: Iterable[str] = ()) -> list[str]:
    """Details that could identify someone, for a person to redact or approve."""
    flags = []
    for pattern, label in (
        (_EMAIL, "an email address"),
        (_PHONE, "a phone number"),
        (_POSTCODE, "a postcode"),
        (_TITLED, "a titled name"),
    ):
        for found in pattern.findall(text):
            flags.append(f"{label}: {found}")
    for name in names:
        for part in {name, *name.split()}:
            if len(part) > 2 and re.search(rf"\b{re.escape(part)}\b", text):
                flags.append(f"a participant's name: {part}")
    return sorted(set(flags))


def pseudonymise(text: str, names: dict[str, str]) -> str:
    """Replace each known name (and its first and last words) with its pseudonym."""
    for name, alias in sorted(names.items(), key=lambda kv: -len(kv[0])):
        text = re.sub(rf"\b{re.escape(name)}\b", alias, text)
        for part in name.split():
            if len(part) > 2:
                text = re.sub(rf"\b{re.escape(part)}\b", alias, text)
    return text


def acronyms(quotes: Iterable[Quote]) -> list[str]:
    found: Counter[str] = Counter()
    for quote in quotes:
        found.update(re.findall(r"\b[A-Z]{2,6}s?\b", quote.text))
    return sorted(a.rstrip("s") if a.endswith("s") and a[:-1].isupper() else a for a in found)


def balance(quotes: Sequence[Quote]) -> dict[str, dict[str, int]]:
    """Whose voices dominate: quotes by role, by section, and hopeful against sceptical."""
    return {
        "by_role": dict(Counter(q.role or "unattributed" for q in quotes).most_common()),
        "by_section": dict(Counter(q.section or "unplaced" for q in quotes).most_common()),
        "by_sentiment": dict(Counter(q.settled_tone or "neutral" for q in quotes).most_common()),
    }


def filtered(
    quotes: Iterable[Quote],
    theme: str | None = None,
    role: str | None = None,
    place: str | None = None,
    section: str | None = None,
    sentiment: str | None = None,
    words: str | None = None,
) -> list[Quote]:
    out = []
    for q in quotes:
        if theme and not any(t == theme or t.startswith(theme + "/") for t in q.themes):
            continue
        if role and q.role != role:
            continue
        if place and q.place != place:
            continue
        if section and q.section != section:
            continue
        if sentiment and q.settled_tone != sentiment:
            continue
        if words and not all(w.lower() in q.text.lower() for w in words.split()):
            continue
        out.append(q)
    return out


def _vector(text: str) -> Counter[str]:
    return Counter(w for w in _WORD.findall(text.lower()) if len(w) > 2)


Similarity = Callable[[str, Sequence[str]], Sequence[float]]


def suggest_themes(
    quote: Quote, coded: Sequence[Quote], limit: int = 3, similarity: Similarity | None = None
) -> list[tuple[str, float]]:
    """Themes of the most similar coded quotes, for a person to accept or ignore.
    `similarity` (e.g. sentence embeddings) scores the quote against each coded one;
    without it, plain text similarity (TF-IDF cosine)."""
    if similarity is not None:
        scored: dict[str, float] = {}
        for q, score in zip(coded, similarity(quote.text, [c.text for c in coded]), strict=True):
            for theme in q.themes:
                scored[theme] = max(scored.get(theme, 0.0), float(score))
        ranked = sorted(scored.items(), key=lambda kv: -kv[1])[:limit]
        return [(t, round(v, 3)) for t, v in ranked if v > 0]
    documents = [_vector(q.text) for q in coded]
    frequency: Counter[str] = Counter()
    for d in documents:
        frequency.update(set(d))
    total = len(documents) + 1

    def weighted(v: Counter[str]) -> dict[str, float]:
        return {w: c * math.log(total / (1 + frequency[w])) for w, c in v.items()}

    target = weighted(_vector(quote.text))
    scores: dict[str, float] = {}
    for q, d in zip(coded, documents, strict=True):
        other = weighted(d)
        dot = sum(target[w] * other.get(w, 0.0) for w in target)
        norm = math.sqrt(sum(x * x for x in target.values())) * math.sqrt(
            sum(x * x for x in other.values())
        )
        if norm and dot > 0:
            for theme in q.themes:
                scores[theme] = max(scores.get(theme, 0.0), dot / norm)
    best = sorted(scores.items(), key=lambda kv: -kv[1])[:limit]
    return [(t, round(s, 3)) for t, s in best]
