"""VADER sentiment wrapper."""

from __future__ import annotations

from nlp.sentiment import label, sentiment, sentiment_many


def test_polarity() -> None:
    assert sentiment("My team is brilliant and supportive") > 0.5
    assert sentiment("The rota is awful and unfair") < -0.3
    assert sentiment("") == 0.0


def test_many_and_label() -> None:
    scores = sentiment_many(["great", "terrible", "the canteen"])
    assert [label(s) for s in scores] == ["positive", "negative", "neutral"]
    assert label(0.05) == "positive" and label(-0.05) == "negative" and label(0.0) == "neutral"
