"""Theme suggestions take any similarity measure; the text one is the fallback."""

from __future__ import annotations

from totalplace.history.rules import Quote, suggest_themes


def test_a_given_similarity_is_used() -> None:
    coded = [
        Quote("a", "money", None, themes=["Money"]),
        Quote("b", "people", None, themes=["People"]),
    ]
    target = Quote("c", "anything", None)

    def favour_people(_text: str, others: list[str]) -> list[float]:
        return [0.9 if o == "people" else 0.1 for o in others]

    assert suggest_themes(target, coded, similarity=favour_people)[0] == ("People", 0.9)
    assert suggest_themes(target, coded) == []  # no shared words: no text suggestion
