"""Theme labels people would write: phrases that occur in a theme's own ideas, chosen by coverage and contrast.

A label is a span of 1-5 words taken from the ideas themselves (compared after stemming and lower-casing),
starting and ending with a content word, inside one clause. Phrases are scored like class-based TF-IDF, but
over whole phrases and by document frequency: the share of the theme's ideas that contain the phrase
(coverage) times the log of how much more often it occurs there than in the rest (contrast). Sibling labels
are kept apart by discounting phrases that share words with labels already given.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from nlp.identifying import find_identifying_details
from nlp.people import is_name_word
from nlp.preprocess import DOMAIN_STOP_WORDS, STOP_WORDS, stem, tokenize

__all__ = ["LabelChoice", "PhraseIndex", "choose_labels", "doc_phrases", "summary_sentence"]

MAX_WORDS = 5
LONGER_BONUS = 0.25  # a phrase with more content words reads better and says more, when it covers nearly as much
SIBLING_PENALTY = 0.6  # a phrase sharing all its words with a sibling's label keeps 40% of its score
SUMMARY_WORDS = 30
INDEX_ROWS = 2_000  # phrase shares are estimated on a sample of this many ideas in bigger conversations

# Removed before phrases are found: a label must never be a web address, an HTML entity or a redaction mark.
_URL = re.compile(r"(?i)\bhttps?://\S+|\bwww\.\S+|\b[\w-]+(?:\.[\w-]+)*\.(?:com|org|net|uk|gov|nhs|io|co)\b\S*")
_EMAIL = re.compile(r"\S+@\S+")
_ENTITY = re.compile(r"&#?\w+;?")
_CLAUSE = re.compile(r"[.!?;:,()\[\]{}\"“”<>/|\n\r\t]+|\s[-–—]+\s|\s'|'\s")
_REPEAT = re.compile(r"^(.)\1{2,}$", re.IGNORECASE)  # "xxxx", "XXX", "zzz": redaction or filler
_JUNK = frozenset(
    "nbsp amp quot apos lt gt ndash mdash hellip rsquo lsquo ldquo rdquo http https www html htm com org "
    "redacted removed anonymised anonymized".split()
)


_CUT = "qqcutqq"  # stands where an identifying span was blanked: a word no label may hold or end right before


def _is_acronym(token: str) -> bool:
    """Upper-case short words ("IT", "HR", "ED") carry a topic even when their lower case is a stop word."""
    return token.isupper() and 2 <= len(token) <= 5 and token.isalpha() and token.lower() not in {"i", "a", "am", "pm", "ok"}


def _content(token: str) -> bool:
    """A word that can start or end a label: not a stop word, or an acronym."""
    low = token.lower()
    if _is_acronym(token):
        return True
    return len(low) >= 2 and low not in STOP_WORDS and low.replace("'", "") not in STOP_WORDS


def _named(token: str) -> bool:
    """A person's name, or where an identifying span was cut out: no label holds it or ends right before it."""
    low = token.lower()
    return low == _CUT or is_name_word(low)


def _bad(token: str) -> bool:
    """A word a label must never hold besides a name: a placeholder, an entity or URL part, a word with digits."""
    low = token.lower()
    return low in _JUNK or bool(_REPEAT.match(low)) or any(ch.isdigit() for ch in low)


def _surface(token: str) -> str:
    return token if _is_acronym(token) else token.lower()


def doc_phrases(text: str, max_words: int = MAX_WORDS, any_word: bool = False) -> dict[str, str]:
    """Every candidate phrase of one text: {stemmed key: surface wording}; any_word lets stop words be phrases."""
    clean = _ENTITY.sub(" ", _URL.sub(" ", _EMAIL.sub(" ", text or "")))
    # Identifying spans (a name after "Dr", a ward number) are blanked so no phrase can reach into them.
    for span in sorted(find_identifying_details(clean), key=lambda s: -s.start):
        clean = clean[: span.start] + f" {_CUT} " + clean[span.end :]
    out: dict[str, str] = {}
    for clause in _CLAUSE.split(clean):
        tokens = tokenize(clause)
        named = [_named(t) for t in tokens]
        ok = [not (n or _bad(t)) for t, n in zip(tokens, named, strict=True)]
        content = [o and (any_word or _content(t)) for t, o in zip(tokens, ok, strict=True)]
        # "staff room", "NHS pension": a domain word too common to be a label alone may start or end a phrase.
        edge = [c or (o and t.lower() in DOMAIN_STOP_WORDS) for t, o, c in zip(tokens, ok, content, strict=True)]
        # Right before a name that was cut out, a word is likely the first part of it ("San [Francisco]",
        # "St [Louis]", "Los [Angeles]"): it is no phrase's edge, so no label is half a name. (After a name the
        # sentence usually goes on: "[Dallas] Fort Worth" keeps "Fort Worth".)
        edge = [e and not (i + 1 < len(tokens) and named[i + 1]) for i, e in enumerate(edge)]
        stems = [stem(t.lower()) for t in tokens]
        for i in range(len(tokens)):
            if not edge[i]:
                continue
            for j in range(i, min(len(tokens), i + max_words)):
                if not ok[j]:
                    break
                if edge[j] and any(content[i : j + 1]):
                    out.setdefault(" ".join(stems[i : j + 1]), " ".join(_surface(t) for t in tokens[i : j + 1]))
    return out


@dataclass(frozen=True)
class LabelChoice:
    """A theme's label with its evidence: share of the theme's ideas holding it and that share over the rest's."""

    label: str
    coverage: float
    contrast: float


class PhraseIndex:
    """Which ideas hold which phrases (binary ideas x phrases), plus each phrase's commonest wording."""

    def __init__(self, texts: Sequence[str], any_word: bool = False) -> None:
        """Index the candidate phrases of every text (of any words, for texts with no content words: "Nothing")."""
        column: dict[str, int] = {}
        rows: list[int] = []
        cols: list[int] = []
        self._wording: list[Counter[str]] = []
        for r, text in enumerate(texts):
            for key, surface in doc_phrases(text, any_word=any_word).items():
                j = column.setdefault(key, len(column))
                if j == len(self._wording):
                    self._wording.append(Counter())
                self._wording[j][surface] += 1
                rows.append(r)
                cols.append(j)
        self.keys = list(column)
        self.content = [frozenset(w for w in k.split(" ") if any_word or w not in _STOP_STEMS) for k in self.keys]
        data = np.ones(len(rows), dtype=np.float32)
        self.matrix = sp.csr_matrix((data, (rows, cols)), shape=(len(texts), len(column)))
        self.df = np.asarray(self.matrix.sum(axis=0)).ravel()

    def wording(self, j: int) -> str:
        """The commonest surface form of phrase j, first letter capitalised."""
        text = max(self._wording[j].items(), key=lambda kv: (kv[1], kv[0]))[0]
        return text[:1].upper() + text[1:]


_STOP_STEMS = frozenset(stem(w) for w in STOP_WORDS)


def choose_labels(index: PhraseIndex, groups: Sequence[np.ndarray], order: Sequence[int]) -> dict[int, LabelChoice]:
    """A label for each group (row indices), given in `order` (largest first); a group with no phrase is left out."""
    n = index.matrix.shape[0]
    chosen: dict[int, LabelChoice] = {}
    taken: list[frozenset[str]] = []
    for c in order:
        g = groups[c]
        if len(g) == 0 or not index.keys:
            continue
        df_in = np.asarray(index.matrix[g].sum(axis=0)).ravel()
        need = min(2, len(g))
        cand = np.flatnonzero(df_in >= need)
        if len(cand) == 0:
            continue
        cov = df_in[cand] / len(g)
        out = (index.df[cand] - df_in[cand]) / max(n - len(g), 1)
        contrast = cov / (out + 1.0 / max(n, 1))
        words = np.array([len(index.content[j]) for j in cand])
        score = cov * np.log1p(contrast) * (1 + LONGER_BONUS * (np.minimum(words, 3) - 1))
        for i, j in enumerate(cand):
            overlap = max((len(index.content[j] & t) / len(index.content[j] | t) for t in taken), default=0.0)
            score[i] *= 1 - SIBLING_PENALTY * overlap
        for i in np.argsort(-score, kind="stable"):
            j = cand[i]
            if index.content[j] in taken or not index.content[j]:
                continue
            label = index.wording(j)
            if find_identifying_details(label):
                continue
            chosen[c] = LabelChoice(label, round(float(cov[i]), 3), round(float(contrast[i] * 1.0), 2))
            taken.append(index.content[j])
            break
    return chosen


def summary_sentence(text: str, max_words: int = SUMMARY_WORDS) -> str:
    """One sentence from an idea to stand for its theme: its first full sentence, shortened if long."""
    sentences = [s.strip() for s in re.split(r"(?<=[.!?])\s+", (text or "").strip()) if s.strip()]
    first = next((s for s in sentences if len(s.split()) >= 3), sentences[0] if sentences else "")
    words = first.split()
    if len(words) > max_words:
        return " ".join(words[:max_words]).rstrip(",;:") + "…"
    return first if first[-1:] in ".!?" else f"{first}."
