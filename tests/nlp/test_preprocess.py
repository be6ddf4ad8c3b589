"""Tokenising, stop words, stemming and surface forms."""

from __future__ import annotations

from nlp.phrases import doc_phrases
from nlp.preprocess import STOP_WORDS, SurfaceForms, analyse, ngrams, tokenize


def test_tokenize_keeps_words_and_apostrophes() -> None:
    assert tokenize("Staff’s car-park is FULL!! 3rd time") == ["Staff's", "car-park", "is", "FULL", "3rd", "time"]


def test_tokenize_empty() -> None:
    assert tokenize("") == [] and analyse("") == []


def test_analyse_drops_stop_words_and_stems() -> None:
    assert analyse("The staff really think the parking charges are unfair") == ["park", "charg", "unfair"]


def test_domain_stop_words_keep_content_words() -> None:
    for word in ("staff", "nhs", "trust", "really", "think"):
        assert word in STOP_WORDS
    for word in ("staffing", "parking", "rota", "training", "canteen", "time", "wait", "bullying", "pay"):
        assert word not in STOP_WORDS
    assert analyse("staffing levels") == ["staf", "level"]


def test_every_form_of_an_auxiliary_verb_is_a_stop_word() -> None:
    # scikit-learn's list has "do" and "has" but not "does", "did" or "having", nor most negative contractions:
    # themes were built around them and labelled "Does", "Did", "You've" (docs/benchmarks.md, eleventh session).
    for word in ("does", "did", "doing", "having", "shall", "doesn't", "didn't", "haven't", "wasn't", "you've"):
        assert word in STOP_WORDS or word.replace("'", "") in STOP_WORDS, word
    assert analyse("How long does it take? Why didn't it arrive, having paid") == ["long", "arriv", "paid"]
    edges = {w for key in doc_phrases("How long does the transfer take") for w in (key.split()[0], key.split()[-1])}
    assert edges == {"long", "transfer"}  # no label "Long does" or "Does"


def test_ngrams() -> None:
    assert ngrams(["car", "park", "charg"], (1, 2)) == ["car", "park", "charg", "car park", "park charg"]


def test_surface_forms_prefer_common_real_wording() -> None:
    forms = SurfaceForms.from_texts(
        ["Staff car parking is awful", "car parking again", "We need car parking", "car park full", "parked badly"]
    )
    assert forms.render("car park") == "car parking"
    assert forms.render("park") == "parking"
    assert forms.render("unknown stem") == "unknown stem"


def test_surface_forms_wanted_limits_memory() -> None:
    forms = SurfaceForms.from_texts(["car parking charges", "car parking"], wanted={"car park"})
    assert "car park" in forms and "charg" not in forms
