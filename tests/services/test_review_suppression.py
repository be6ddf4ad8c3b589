"""Suppressed cells must not leak their size through the order they are listed in."""

from app.services.participation import suppress


def test_hidden_cells_come_last_in_name_order_whatever_their_true_size():
    small_first = suppress({"Nursing": 60, "Estates": 9, "AHP": 2, "Medical": 30}, 11)
    small_last = suppress({"Nursing": 60, "Estates": 2, "AHP": 9, "Medical": 30}, 11)
    assert [c.label for c in small_first] == [c.label for c in small_last] == ["Nursing", "Medical", "AHP", "Estates"]
    assert [c.value for c in small_first] == [c.value for c in small_last] == [60, 30, None, None]
