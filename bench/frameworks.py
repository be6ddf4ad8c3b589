"""Framework mapping quality: macro-F1 and per-element precision/recall on the labelled People Promise sample.

The decision rule (threshold and margin) is tuned by 5-fold cross-validation: on each fold it is chosen on the
other four folds and applied to the held-out one, so the main figures never use a rule fitted to the texts
they are scored on. Also printed: the shipped rule on the whole sample (optimistic, since the shipped
constants were chosen on this sample), the held-out effect of lead corrections (`extra_examples` taken from
the training folds), the shipped rule on 80 ideas written and labelled after the method was frozen
(`unseen.csv`, never used for any choice), the closest example phrase of the framework to any labelled idea
(the wording must not copy the sample), and the time to map 6,000 ideas.

Run: `.venv/bin/python bench/frameworks.py` (lexicon only) or `/work/embvenv/bin/python bench/frameworks.py`;
`--no-unseen` leaves unseen.csv alone while a method or rule is still being chosen.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

# Run as a script, this folder would come first on sys.path, and bench/http.py would hide the standard library's http.
HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(HERE.parent))
from bench._data import ROOT, cached_embeddings  # noqa: E402

from nlp import frameworks as fw  # noqa: E402
from nlp.represent import embeddings_available  # noqa: E402

SAMPLE = ROOT / "bench" / "data" / "people_promise" / "ideas.csv"
UNSEEN = ROOT / "bench" / "data" / "people_promise" / "unseen.csv"  # written after the method was frozen
THRESHOLDS = np.round(np.arange(0.02, 0.90, 0.01), 2)
MARGINS = np.round(np.arange(0.30, 0.801, 0.05), 2)  # at most 0.8: ideas must be able to map to two elements
FOLDS = 5


def load_sample(path: Path = SAMPLE) -> tuple[list[str], list[frozenset[str]]]:
    """Texts and final (resolved) element keys of the labelled sample."""
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return [r["text"] for r in rows], [frozenset(k for k in r["final"].split(";") if k) for r in rows]


def gold_matrix(gold: Sequence[frozenset[str]], keys: Sequence[str]) -> np.ndarray:
    """Boolean (texts x elements) matrix of the gold labels."""
    return np.array([[k in g for k in keys] for g in gold], dtype=bool)


def per_element(pred: np.ndarray, gold: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Precision, recall and F1 per element (columns); an element never predicted and never gold scores 1."""
    tp = (pred & gold).sum(axis=0).astype(float)
    fp = (pred & ~gold).sum(axis=0)
    fn = (~pred & gold).sum(axis=0)
    precision = np.divide(tp, tp + fp, out=np.ones_like(tp), where=(tp + fp) > 0)
    recall = np.divide(tp, tp + fn, out=np.ones_like(tp), where=(tp + fn) > 0)
    f1 = np.divide(2 * precision * recall, precision + recall, out=np.zeros_like(tp), where=(precision + recall) > 0)
    return precision, recall, f1


def macro_f1(pred: np.ndarray, gold: np.ndarray) -> float:
    """Mean of the per-element F1 scores."""
    return float(per_element(pred, gold)[2].mean())


def tune(scores: np.ndarray, gold: np.ndarray) -> fw.Rule:
    """The threshold and margin with the best macro-F1 on these rows (ties: higher threshold, then margin)."""
    best: tuple[float, float, float] = (-1.0, 0.0, 0.0)
    for t in THRESHOLDS:
        for m in MARGINS:
            f1 = macro_f1(fw.select(scores, fw.Rule(float(t), float(m))), gold)
            if (f1, t, m) > best:
                best = (f1, float(t), float(m))
    return fw.Rule(best[1], best[2])


def folds(n: int, seed: int = 13) -> list[np.ndarray]:
    """Deterministic shuffled split of range(n) into FOLDS parts."""
    order = list(range(n))
    random.Random(seed).shuffle(order)
    return [np.array(sorted(order[i::FOLDS])) for i in range(FOLDS)]


class Method:
    """Scores texts against the framework, by lexicon or by cached embeddings."""

    def __init__(self, name: str, elements: list[fw.Element], texts: list[str]) -> None:
        """Embeddings are computed once for all texts (sample, unseen ideas, wording) and looked up per text."""
        self.name, self.elements = name, elements
        self.vector_of: dict[str, np.ndarray] = {}
        if name == "embeddings":
            everything = list(dict.fromkeys([*texts, *load_sample(UNSEEN)[0], *fw.element_texts(elements)]))
            vectors = cached_embeddings("people-promise", everything)
            self.vector_of = dict(zip(everything, vectors, strict=True))

    def scores(self, texts: Sequence[str], extra: dict[str, list[str]] | None = None) -> np.ndarray:
        """Score matrix for texts, with optional lead corrections."""
        if self.name == "lexicon":
            return fw.score_texts(texts, self.elements, extra_examples=extra)
        wording = fw.element_texts(self.elements, extra)
        return fw.score_texts(
            texts, self.elements, extra_examples=extra,
            vectors=np.stack([self.vector_of[t] for t in texts]),
            element_vectors=np.stack([self.vector_of[t] for t in wording]),
        )


def report(title: str, pred: np.ndarray, gold: np.ndarray, keys: Sequence[str]) -> None:
    """Print macro-F1 then one line per element."""
    precision, recall, f1 = per_element(pred, gold)
    none_right = int((~pred.any(axis=1) & ~gold.any(axis=1)).sum())
    print(f"\n{title}: macro-F1 {f1.mean():.3f}  (off-topic ideas mapped to nothing: {none_right}/{int((~gold.any(axis=1)).sum())})")
    print(f"  {'element':38} {'gold':>4} {'P':>6} {'R':>6} {'F1':>6}")
    for i, key in enumerate(keys):
        print(f"  {key:38} {int(gold[:, i].sum()):4d} {precision[i]:6.3f} {recall[i]:6.3f} {f1[i]:6.3f}")


def evaluate_unseen(method: Method, texts: list[str], gold_sets: list[frozenset[str]], shipped: fw.Rule) -> None:
    """The shipped rule, untuned, on ideas written after the method was frozen; then with the sample as corrections."""
    unseen, unseen_gold = load_sample(UNSEEN)
    keys = [e.key for e in method.elements]
    gold = gold_matrix(unseen_gold, keys)
    report(f"{method.name}, unseen ideas, shipped rule", fw.select(method.scores(unseen), shipped), gold, keys)
    extra: dict[str, list[str]] = {}
    for text, labels in zip(texts, gold_sets, strict=True):
        for k in sorted(labels):
            extra.setdefault(k, []).append(text)
    corrected = fw.select(method.scores(unseen, extra), shipped)
    report(f"{method.name}, unseen ideas, shipped rule, the 531 sample ideas as corrections", corrected, gold, keys)


def evaluate(method: Method, texts: list[str], gold_sets: list[frozenset[str]], shipped: fw.Rule) -> None:
    """Held-out figures by cross-validation, with and without corrections, plus the shipped rule."""
    keys = [e.key for e in method.elements]
    gold = gold_matrix(gold_sets, keys)
    scores = method.scores(texts)
    held_out = np.zeros_like(gold)
    corrected = np.zeros_like(gold)
    rules = []
    for test in folds(len(texts)):
        train = np.setdiff1d(np.arange(len(texts)), test)
        rule = tune(scores[train], gold[train])
        rules.append(rule)
        held_out[test] = fw.select(scores[test], rule)
        extra: dict[str, list[str]] = {}
        for i in train:
            for k in sorted(gold_sets[i]):
                extra.setdefault(k, []).append(texts[i])
        corrected[test] = fw.select(method.scores([texts[i] for i in test], extra), rule)
    print(f"\n=== {method.name} ===  rules chosen per fold (threshold, margin): "
          + ", ".join(f"({r.threshold:.2f}, {r.margin:.2f})" for r in rules))
    report(f"{method.name}, held-out (rule tuned on the other 4 folds)", held_out, gold, keys)
    report(f"{method.name}, held-out with lead corrections (training folds as extra_examples)", corrected, gold, keys)
    whole = tune(scores, gold)
    print(f"\n{method.name}: rule tuned on the whole sample: threshold={whole.threshold:.2f} margin={whole.margin:.2f}"
          f" (macro-F1 {macro_f1(fw.select(scores, whole), gold):.3f}, optimistic)")
    print(f"{method.name}: shipped rule threshold={shipped.threshold:.2f} margin={shipped.margin:.2f}"
          f" on the whole sample: macro-F1 {macro_f1(fw.select(scores, shipped), gold):.3f} (optimistic)")


def closest_wording(elements: list[fw.Element]) -> None:
    """The framework's example phrases must not copy the labelled ideas: print the closest pair (TF-IDF cosine).

    Two vectorisers: plain words, and the method's own stemmed uni+bigrams. Goal: below 0.8 for every pair.
    """
    from sklearn.feature_extraction.text import TfidfVectorizer

    phrases = [p for e in elements for p in e.examples]
    ideas = load_sample()[0] + load_sample(UNSEEN)[0]
    for name, vectorizer in (("words", TfidfVectorizer(sublinear_tf=True)),
                             ("stemmed uni+bigrams", TfidfVectorizer(analyzer=fw._terms, sublinear_tf=True))):
        matrix = vectorizer.fit_transform([*phrases, *ideas])
        sims = (matrix[: len(phrases)] @ matrix[len(phrases) :].T).toarray()
        i, j = np.unravel_index(int(sims.argmax()), sims.shape)
        print(f"closest example phrase to a sample idea ({name}): cosine {sims[i, j]:.3f},"
              f" {int((sims >= 0.8).any(axis=1).sum())} phrases at 0.8 or more: {phrases[i]!r} ~ {ideas[j]!r}")


def timing(elements: list[fw.Element], texts: list[str], n: int) -> None:
    """Time map_texts on n ideas (the sample repeated with a counter): lexicon, then with stored 384-d vectors.

    The vectors are random stand-ins: the app stores each idea's embedding when it arrives, so a run pays only
    for the mapping, which is what this times.
    """
    batch = [f"{texts[i % len(texts)]} ({i})" for i in range(n)]
    start = time.perf_counter()
    fw.map_texts(batch, elements)
    print(f"\nlexicon map_texts on {n} ideas: {time.perf_counter() - start:.2f}s")
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(n, 384)).astype(np.float32)
    element_vectors = rng.normal(size=(len(fw.element_texts(elements)), 384)).astype(np.float32)
    start = time.perf_counter()
    fw.map_texts(batch, elements, vectors=vectors, element_vectors=element_vectors)
    print(f"embedding-path map_texts on {n} ideas with stored vectors: {time.perf_counter() - start:.2f}s")


def main() -> None:
    """Print the figures for the lexicon method and, when installed, the embedding method."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=6000, help="ideas for the timing run")
    parser.add_argument("--no-unseen", action="store_true",
                        help="leave unseen.csv alone (while a method or its rule is still being chosen)")
    args = parser.parse_args()
    texts, gold_sets = load_sample()
    elements = fw.read_default_framework()
    labelled = sum(1 for g in gold_sets if g)
    print(f"sample: {len(texts)} ideas ({labelled} mapped to at least one element), {len(elements)} elements,"
          f" {FOLDS}-fold cross-validation; thresholds are never tuned on the fold they are scored on")
    lexicon = Method("lexicon", elements, texts)
    evaluate(lexicon, texts, gold_sets, fw.LEXICON_RULE)
    if not args.no_unseen:
        evaluate_unseen(lexicon, texts, gold_sets, fw.LEXICON_RULE)
    if embeddings_available():
        embeddings = Method("embeddings", elements, texts)
        evaluate(embeddings, texts, gold_sets, fw.EMBEDDING_RULE)
        if not args.no_unseen:
            evaluate_unseen(embeddings, texts, gold_sets, fw.EMBEDDING_RULE)
    else:
        print("\nembeddings: sentence-transformers not installed here; run with /work/embvenv/bin/python")
    closest_wording(elements)
    timing(elements, texts, args.n)


if __name__ == "__main__":
    main()
