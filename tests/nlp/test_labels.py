from nlp.labels import distinguish, make_label
from nlp.preprocess import SurfaceForms, analyse_pairs


def _forms(*texts: str) -> SurfaceForms:
    forms = SurfaceForms()
    for text in texts:
        forms.add(analyse_pairs(text))
    return forms


def test_labels_are_two_to_four_real_words() -> None:
    forms = _forms("car parking is awful", "car parking costs", "the car parking", "parking")
    assert make_label(["car park", "cost"], {"car park": 1.0, "cost": 0.5}, forms) == "Car parking"
    assert make_label(["park", "cost"], {"park": 1.0, "cost": 0.9}, forms) == "Parking and costs"
    assert make_label(["park"], {"park": 1.0}, forms) == "About parking"
    assert make_label([], {}, forms) == "Miscellaneous"


def test_duplicate_labels_are_told_apart_within_four_words() -> None:
    assert distinguish("Car parking and costs", "night shift") == "Car parking (night shift)"
    assert distinguish("Car parking", "nights") == "Car parking (nights)"
    for label in (distinguish("Car parking and costs", "night shift"), distinguish("Rota", "weekend")):
        assert 2 <= len(label.split()) <= 4
