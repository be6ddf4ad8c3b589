"""Abusive-language detection: a shipped list, matched on word boundaries."""

from __future__ import annotations

import pytest

from nlp.abuse import find_abusive_language, load_terms


def _found(text: str) -> list[str]:
    return [m.text for m in find_abusive_language(text)]


def test_ships_a_list_of_lower_case_terms_without_comments() -> None:
    terms = load_terms()
    assert len(terms) >= 30
    assert all(t == t.lower() and not t.startswith("#") for t in terms)
    assert "kill yourself" in terms


@pytest.mark.parametrize("text, expected", [
    ("The rota manager is an idiot", ["idiot"]),
    ("These IDIOTS never listen", ["IDIOTS"]),
    ("Honestly, kill   yourself", ["kill   yourself"]),
    ("I’ll kill whoever moved the kettle", ["I’ll kill"]),
    ("What a bastard. And a moron!", ["bastard", "moron"]),
])
def test_finds_abuse_with_offsets(text: str, expected: list[str]) -> None:
    matches = find_abusive_language(text)
    assert [m.text for m in matches] == expected
    assert all(text[m.start:m.end] == m.text for m in matches)


@pytest.mark.parametrize("text", [
    "Scunthorpe staff need parking",
    "A proper assessment of class sizes",
    "Shitake mushrooms in the canteen",
    "The cockpit of the ambulance simulator",
    "We should be shown the new rota earlier",
    "",
])
def test_never_matches_inside_longer_words_or_clean_text(text: str) -> None:
    assert _found(text) == []


def test_longer_terms_win_over_their_parts() -> None:
    assert _found("motherfucker") == ["motherfucker"]


def test_local_terms_can_be_added() -> None:
    assert _found("a total numpty") == []
    assert [m.text for m in find_abusive_language("a total numpty", extra_terms=["Numpty"])] == ["numpty"]
