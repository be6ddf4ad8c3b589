"""Near-duplicate search for a draft idea while the person types, over a conversation's existing ideas."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from nlp.preprocess import analyse, ngrams

__all__ = ["Match", "SimilarityIndex"]

DEFAULT_MIN_SCORE = 0.3


@dataclass(frozen=True)
class Match:
    """An existing idea similar to the query, with cosine similarity 0-1."""

    id: str
    score: float


def _terms(text: str) -> list[str]:
    """Stem uni+bigrams: bigrams reward the same phrasing, stems forgive inflection."""
    return ngrams(analyse(text), (1, 2))


class SimilarityIndex:
    """TF-IDF over stem n-grams with a sparse matrix-vector product per query (lexical, fast, no model)."""

    def __init__(self, ids: list[str], vectorizer: TfidfVectorizer | None, matrix: object) -> None:
        """Use SimilarityIndex.build instead."""
        self.ids = ids
        self._vectorizer = vectorizer
        self._matrix = matrix

    @classmethod
    def build(cls, docs: Sequence[object]) -> SimilarityIndex:
        """Index documents (objects with .id and .text, e.g. nlp.themes.Document)."""
        ids = [str(getattr(d, "id")) for d in docs]
        texts = [str(getattr(d, "text")) for d in docs]
        vectorizer = TfidfVectorizer(analyzer=_terms, sublinear_tf=True, dtype=np.float32)
        try:
            matrix = vectorizer.fit_transform(texts).tocsr()
        except ValueError:  # no indexable words at all
            return cls(ids, None, None)
        return cls(ids, vectorizer, matrix)

    def query(self, text: str, k: int = 5, min_score: float = DEFAULT_MIN_SCORE) -> list[Match]:
        """Up to k ideas most like text, best first, each scoring at least min_score."""
        if self._vectorizer is None or not self.ids:
            return []
        q = self._vectorizer.transform([text])
        if q.nnz == 0:
            return []
        scores = np.asarray((self._matrix @ q.T).todense()).ravel()
        top = np.flatnonzero(scores >= min_score)
        top = top[np.lexsort((top, -scores[top]))][:k]
        return [Match(self.ids[i], round(float(scores[i]), 4)) for i in top]
