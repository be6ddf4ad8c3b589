"""A theme run reports its stage and how many ideas it has read through a callback; nlp stays pure."""

from __future__ import annotations

from nlp.progress import STEPS, analyse_all
from nlp.themes import Document, find_themes

TEXTS = [f"Free parking for night shift staff, number {n}" for n in range(30)] + \
        [f"Hot food in the canteen after midnight, number {n}" for n in range(30)]


def test_find_themes_reports_reading_then_grouping_then_naming() -> None:
    seen: list[tuple[str, int, int]] = []
    docs = [Document(str(i), text) for i, text in enumerate(TEXTS)]
    result = find_themes(docs, backend="tfidf-lsa", progress=lambda *report: seen.append(report))
    stages = [stage for stage, _, _ in seen]
    assert stages[0] == "representing" and stages[-2:] == ["clustering", "labelling"]
    reading = [(done, total) for stage, done, total in seen if stage == "representing"]
    assert reading[0] == (0, 60) and reading[-1] == (60, 60)
    assert [done for done, _ in reading] == sorted(done for done, _ in reading)  # n of N only grows
    assert len(reading) <= STEPS + 2  # a few reports, however many ideas
    assert result == find_themes(docs, backend="tfidf-lsa")  # the callback changes nothing about the result


def test_reading_reports_are_bounded_for_any_number_of_texts() -> None:
    for count in (0, 1, 7, 500):
        seen: list[tuple[str, int, int]] = []
        pairs = analyse_all(["Rotas on time please"] * count, lambda *report: seen.append(report))
        assert len(pairs) == count and seen[-1] == ("representing", count, count)
        assert len(seen) <= STEPS + 2
    assert analyse_all(["Rotas on time"]) == analyse_all(["Rotas on time"], None)
