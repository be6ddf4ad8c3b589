"""Tokenising, stop-word removal and stemming, plus mapping stems back to real words for labels."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import lru_cache
from importlib import resources

from nltk.stem.snowball import SnowballStemmer
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

__all__ = [
    "STOP_WORDS",
    "SurfaceForms",
    "all_stems",
    "analyse",
    "analyse_pairs",
    "ngrams",
    "stem",
    "tokenize",
]

_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:['’\-][A-Za-z0-9]+)*|[0-9]+[A-Za-z]+[A-Za-z0-9]*")
_POSSESSIVE = re.compile(r"['’]s$")
_STEMMER = SnowballStemmer("english")


def _load_domain_stop_words() -> frozenset[str]:
    """Read the shipped staff-feedback stop-word list (one word a line, '#' comments)."""
    text = resources.files("nlp").joinpath("data/stopwords_staff.txt").read_text(encoding="utf-8")
    words = (line.strip().lower() for line in text.splitlines())
    return frozenset(w for w in words if w and not w.startswith("#"))


DOMAIN_STOP_WORDS: frozenset[str] = _load_domain_stop_words()
# Forms of auxiliary and modal verbs, and contractions, that scikit-learn's list lacks (it has "do", "has" and "is",
# but not "does", "did", "having" or "doesn't"): grammar, not topic. Without them themes formed around "does" and
# "did" and were labelled so (docs/benchmarks.md, "Grammar words").
GRAMMAR_STOP_WORDS: frozenset[str] = frozenset(
    "does did doing having shall ought "
    "aren't wasn't weren't hasn't haven't hadn't doesn't didn't wouldn't shan't shouldn't "
    "couldn't mustn't mightn't needn't "
    "i'd i'll you're you've you'd you'll he's he'd he'll she's she'd she'll it'd it'll "
    "we're we've we'd we'll they're they've they'd they'll what's who's let's".split()
)
STOP_WORDS: frozenset[str] = frozenset(ENGLISH_STOP_WORDS) | GRAMMAR_STOP_WORDS | DOMAIN_STOP_WORDS


def tokenize(text: str) -> list[str]:
    """Split text into word tokens (original case, apostrophes normalised) so callers see real words."""
    return [m.group(0).replace("’", "'") for m in _WORD.finditer(text or "")]


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Snowball-stem one lower-case word; cached because the same words recur across documents."""
    return _STEMMER.stem(word)


@lru_cache(maxsize=200_000)
def _content_word(token: str) -> str | None:
    """Lower-case a token and drop possessives, or None when it is a stop word or too short."""
    word = _POSSESSIVE.sub("", token.lower())
    if len(word) < 2 or word in STOP_WORDS or word.replace("'", "") in STOP_WORDS:
        return None
    return word


def analyse_pairs(text: str) -> list[tuple[str, str]]:
    """Return (surface word, stem) pairs for the content words of text, keeping both for labelling."""
    pairs: list[tuple[str, str]] = []
    for token in tokenize(text):
        word = _content_word(token)
        if word is not None:
            pairs.append((word, stem(word)))
    return pairs


def analyse(text: str) -> list[str]:
    """Lower-case, tokenise, drop stop words and stem: the terms that themes are built from."""
    return [s for _, s in analyse_pairs(text)]


def all_stems(text: str) -> list[str]:
    """Every word of text lower-cased and stemmed, stop words kept: for texts that have no content words."""
    return [stem(_POSSESSIVE.sub("", token.lower())) for token in tokenize(text)]


def ngrams(stems: Sequence[str], orders: Iterable[int] = (1, 2)) -> list[str]:
    """Join consecutive stems into space-separated n-grams of the given orders (default uni+bigrams)."""
    out: list[str] = []
    for n in orders:
        if n == 1:
            out.extend(stems)
        else:
            out.extend(" ".join(stems[i : i + n]) for i in range(len(stems) - n + 1))
    return out


class SurfaceForms:
    """Maps stems and stem n-grams back to their most common real wording ("car parking", not "car park")."""

    def __init__(self, max_order: int = 3, wanted: Iterable[str] | None = None) -> None:
        """Start empty; n-grams up to max_order words are remembered (only `wanted` ones, if given, to save memory)."""
        self.max_order = max_order
        self._wanted: frozenset[str] | None = None if wanted is None else frozenset(wanted)
        self._counts: dict[str, Counter[str]] = {}

    def add(self, pairs: Sequence[tuple[str, str]]) -> None:
        """Record the wordings of every stem n-gram in one analysed document."""
        words = [w for w, _ in pairs]
        stems = [s for _, s in pairs]
        for n in range(1, self.max_order + 1):
            for i in range(len(stems) - n + 1):
                key = " ".join(stems[i : i + n])
                if self._wanted is not None and key not in self._wanted:
                    continue
                self._counts.setdefault(key, Counter())[" ".join(words[i : i + n])] += 1

    @classmethod
    def from_texts(cls, texts: Iterable[str], max_order: int = 3, wanted: Iterable[str] | None = None) -> SurfaceForms:
        """Build the mapping from raw texts."""
        forms = cls(max_order, wanted)
        for text in texts:
            forms.add(analyse_pairs(text))
        return forms

    def render(self, stem_ngram: str) -> str:
        """Return the most common surface form of a stem n-gram, or a per-word fallback."""
        counts = self._counts.get(stem_ngram)
        if counts:
            return max(counts.items(), key=lambda kv: (kv[1], -len(kv[0]), kv[0]))[0]
        parts = [self._counts.get(p) for p in stem_ngram.split(" ")]
        return " ".join(
            max(c.items(), key=lambda kv: (kv[1], kv[0]))[0] if c else p
            for c, p in zip(parts, stem_ngram.split(" "), strict=True)
        )

    def __contains__(self, stem_ngram: object) -> bool:
        """Whether this n-gram was seen."""
        return stem_ngram in self._counts
