"""Sentiment scores from VADER (its lexicon ships inside vaderSentiment, so nothing is downloaded)."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import Literal

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

__all__ = ["label", "sentiment", "sentiment_many"]

THRESHOLD = 0.05  # VADER's own recommended cut-off for neutral


@lru_cache(maxsize=1)
def _analyser() -> SentimentIntensityAnalyzer:
    """Load the VADER lexicon once per process."""
    return SentimentIntensityAnalyzer()


def sentiment(text: str) -> float:
    """VADER compound score from -1 (most negative) to +1 (most positive)."""
    return float(_analyser().polarity_scores(text or "")["compound"])


def sentiment_many(texts: Iterable[str]) -> list[float]:
    """Compound scores for many texts."""
    return [sentiment(t) for t in texts]


def label(score: float, threshold: float = THRESHOLD) -> Literal["positive", "neutral", "negative"]:
    """Name a compound score: positive, neutral or negative."""
    if score >= threshold:
        return "positive"
    if score <= -threshold:
        return "negative"
    return "neutral"
