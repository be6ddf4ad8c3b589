"""Framework mapping: the default People Promise file and the lexicon/embedding mapping method."""

from __future__ import annotations

import numpy as np
import pytest

from nlp.frameworks import Element, element_texts, map_texts, map_theme, read_default_framework


@pytest.fixture(scope="module")
def elements() -> list[Element]:
    return read_default_framework()


def test_default_framework_has_nine_described_elements(elements: list[Element]) -> None:
    assert len(elements) == 9
    assert len({e.key for e in elements}) == 9
    assert {"we-work-flexibly", "we-are-safe-and-healthy", "staff-engagement", "morale"} <= {e.key for e in elements}
    for e in elements:
        assert len(e.description) > 150
        assert 6 <= len(e.examples) <= 12


def test_off_topic_text_maps_to_nothing(elements: list[Element]) -> None:
    assert map_texts(["The printer on level 3 is broken", "asdf qwerty"], elements) == [[], []]


def test_confidences_are_between_zero_and_one_best_first(elements: list[Element]) -> None:
    for mapping in map_texts(["Managers never listen when we raise concerns about staffing"], elements):
        confs = [c for _, c in mapping]
        assert mapping and all(0 <= c <= 1 for c in confs) and confs == sorted(confs, reverse=True)


def test_embedding_method_uses_given_vectors(elements: list[Element]) -> None:
    wording = element_texts(elements)
    rng = np.random.default_rng(0)
    element_vectors = rng.normal(size=(len(wording), 16))
    # a text whose vector is exactly the first wording of "we-are-a-team" maps there
    first_team = next(i for i, t in enumerate(wording) if t == "We are a team")
    result = map_texts(["anything"], elements, vectors=element_vectors[[first_team]], element_vectors=element_vectors)
    assert result[0][0][0] == "we-are-a-team"
    with pytest.raises(ValueError):
        map_texts(["x"], elements, vectors=np.ones((1, 16)), element_vectors=np.ones((3, 16)))


def test_map_theme_keeps_elements_most_ideas_share() -> None:
    ideas = [[("a", 0.9), ("b", 0.6)], [("a", 0.8)], [("a", 0.7)], [("c", 0.9)]]
    theme = map_theme(ideas)
    assert [k for k, _ in theme] == ["a", "c", "b"]  # 1 in 4 ideas is enough at min_share=0.25; ranked by mean confidence
    assert theme[0] == ("a", 0.6)
    assert map_theme([]) == []
