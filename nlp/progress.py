"""Telling a caller how far a theme run has got, without knowing who is listening or how it is stored."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from nlp.preprocess import analyse_pairs

# progress(stage, done, total): "representing" n of N documents read, then "clustering", then "labelling".
Progress = Callable[[str, int, int], None]
STEPS = 20  # "representing" is reported about this many times, however many documents there are


def analyse_all(texts: Sequence[str], progress: Progress | None = None) -> list[list[tuple[str, str]]]:
    """(surface, stem) pairs of every text, telling `progress` how many have been read every 1/STEPS of the way."""
    step = max(1, -(-len(texts) // STEPS))
    pairs: list[list[tuple[str, str]]] = []
    for done, text in enumerate(texts):
        if progress is not None and done % step == 0:
            progress("representing", done, len(texts))
        pairs.append(analyse_pairs(text))
    if progress is not None:
        progress("representing", len(texts), len(texts))
    return pairs
