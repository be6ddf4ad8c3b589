"""Folded cells must not leak a small group's name or size through the order or labels they are listed in."""

from app.services.conversations.participation import fold_small_groups


def test_small_groups_leave_only_other_last_whatever_their_true_size():
    small_first = fold_small_groups({"Nursing": 60, "Estates": 9, "AHP": 2, "Medical": 30}, 11)
    small_last = fold_small_groups({"Nursing": 60, "Estates": 2, "AHP": 9, "Medical": 30}, 11)
    assert [c.label for c in small_first] == [c.label for c in small_last] == ["Nursing", "Medical", "Other"]
    assert [c.value for c in small_first] == [c.value for c in small_last] == [60, 30, 10]
