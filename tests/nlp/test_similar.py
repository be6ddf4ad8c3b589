"""Near-duplicate search."""

from __future__ import annotations

from nlp.similar import Match, SimilarityIndex
from nlp.themes import Document


def _index() -> SimilarityIndex:
    return SimilarityIndex.build(
        [
            Document("a", "Car parking for night shift staff is impossible"),
            Document("b", "The canteen closes too early for night staff"),
            Document("c", "More car parking spaces please"),
            Document("d", "Training budget has been cut again"),
        ]
    )


def test_finds_near_duplicates_best_first() -> None:
    matches = _index().query("car parking spaces at night", k=5, min_score=0.1)
    assert [m.id for m in matches][:2] == ["c", "a"]
    assert all(isinstance(m, Match) and 0 < m.score <= 1 for m in matches)
    assert matches == sorted(matches, key=lambda m: -m.score)


def test_min_score_and_k() -> None:
    assert _index().query("car parking", k=1, min_score=0.1)[0].id in {"a", "c"}
    assert len(_index().query("car parking", k=1, min_score=0.1)) == 1
    assert _index().query("training budget", min_score=0.99) == []


def test_empty_inputs() -> None:
    assert SimilarityIndex.build([]).query("anything") == []
    assert _index().query("the and of") == []
    assert SimilarityIndex.build([Document("x", "the")]).query("the") == []
