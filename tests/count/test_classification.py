from __future__ import annotations

import pytest

from totalplace.core.reference import reference
from totalplace.count.rules.classification import is_cofog_code, normalise_cofog, suggest


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("7.3", "07.3"),
        ("07.3", "07.3"),
        (" 10 ", "10"),
        ("7.", "07"),
        ("10.1.2", "10.1.2"),
        ("10.12", "10.12"),
        ("7.A", "7.A"),
        ("health", "health"),
    ],
)
def test_normalise_cofog(text: str, code: str) -> None:
    assert normalise_cofog(text) == code


def test_only_real_codes_pass() -> None:
    ref = reference()
    assert "07.3" in ref.cofog and "10.12" not in ref.cofog
    assert is_cofog_code("10.1") and not is_cofog_code("11") and not is_cofog_code("7.3")


def test_suggestions_prefer_the_most_specific_word() -> None:
    first = suggest("PUBLIC HEALTH - SEXUAL HEALTH", reference())[0]
    assert first.cofog == "07.4"
    assert suggest("LEARN DIS 18-64 LT", reference())[0].sercop == "ASC"
    assert suggest("Zzz unknown", reference()) == []


def test_sercop_by_code_name_or_line() -> None:
    ref = reference()
    assert ref.sercop_code("asc") == ref.sercop_code("Adult social care") == "ASC"
    assert ref.sercop_code("360") == "ASC"
    assert ref.sercop_code("nope") is None
