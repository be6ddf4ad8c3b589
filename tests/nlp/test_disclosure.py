"""The Speak Up suggestion: cues, negation, policy mentions, and a floor on the labelled sample."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from nlp.disclosure import CATEGORIES, find_disclosure

SAMPLE = Path(__file__).resolve().parents[2] / "bench" / "data" / "disclosure" / "sample.csv"


@pytest.mark.parametrize("text, category", [
    ("I have been bullied by my line manager for months.", "bullying"),
    ("A colleague sexually harassed me on a night shift.", "harassment"),
    ("I was called racist names and nothing was done.", "discrimination"),
    ("We are regularly left with unsafe staffing levels at night.", "safety"),
    ("Incidents are being covered up to make the figures look better.", "safety"),
    ("Someone is committing fraud with the overtime claims.", "wrongdoing"),
])
def test_disclosures_are_suggested_the_route(text: str, category: str) -> None:
    found = find_disclosure(text)
    assert found.suggest
    assert found.categories[0] == category
    assert category in CATEGORIES


@pytest.mark.parametrize("text", [
    "There is no bullying on our ward and I feel supported.",
    "I have never been harassed here.",
    "Nobody on my team has ever been discriminated against as far as I know.",
    "The anti-bullying training was really useful.",
    "Patient safety week was a great chance to share learning.",
    "Could the bullying and harassment policy be easier to find?",
    "Free parking for night staff would make a huge difference.",
    "",
])
def test_negated_policy_and_ordinary_texts_are_not(text: str) -> None:
    assert not find_disclosure(text).suggest


def test_negation_only_reaches_its_own_clause() -> None:
    # "no" belongs to the first clause; the bullying in the second still counts.
    assert find_disclosure("There is no support, and I am bullied every shift.").suggest


def test_cues_carry_offsets_of_the_original_text() -> None:
    text = "My manager BULLIES the new starters."
    cue = find_disclosure(text).cues[0]
    assert text[cue.start:cue.end] == "BULLIES"


def test_held_out_half_of_the_sample_stays_above_a_floor() -> None:
    """Guards against a change that breaks the lexicon; the measured figures are in docs/benchmarks.md."""
    with SAMPLE.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) >= 200
    held_out = rows[1::2]
    predicted = [find_disclosure(r["text"]).suggest for r in held_out]
    tp = sum(p and r["label"] == "1" for p, r in zip(predicted, held_out))
    fp = sum(p and r["label"] == "0" for p, r in zip(predicted, held_out))
    fn = sum(not p and r["label"] == "1" for p, r in zip(predicted, held_out))
    assert tp / (tp + fp) >= 0.85
    assert tp / (tp + fn) >= 0.8
