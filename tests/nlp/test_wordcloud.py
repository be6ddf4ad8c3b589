"""Word clouds of notes: meaningful words by the number of notes using them, nothing identifying, no overlaps."""

from __future__ import annotations

import itertools

from nlp.wordcloud import CloudWord, count_words, layout, word_cloud

NOTES = [
    "Free parking for night shift staff",
    "Night shift staff need hot food",
    "Parking permits cost too much for night shift",
    "Hot food after midnight please",
    "Rotas published six weeks ahead",
    "Rotas six weeks ahead so we can plan childcare",
]


def test_words_are_counted_once_per_note_and_phrases_win_ties() -> None:
    words = {w.text: w.count for w in count_words(NOTES + ["parking parking parking parking"])}
    assert words["night shift"] == 3 and words["parking"] == 3  # the repeating note counts once
    assert "night" not in words and "shift" not in words  # the phrase stands for them
    assert words["hot food"] == 2 and any(text.startswith("rota") and n == 2 for text, n in words.items())
    assert all(count >= 2 for count in words.values())  # one note alone is not a word of the room


def test_identifying_details_names_and_redactions_never_appear() -> None:
    notes = ["Sarah Jones on Ward 7 ignores the rota", "Ask Sarah Jones about the rota on Ward 7",
             "Email sarah.jones@nhs.net about the rota", "Ring 07700 900123 about the rota",
             "[name removed] ignores the rota", "The rota was redacted [redacted] twice"]
    texts = {w.text for w in count_words(notes)}
    assert "rota" in texts
    for leaked in ("sarah", "jones", "ward", "nhs", "07700", "name", "removed", "redacted"):
        assert not any(leaked in t.split() for t in texts), (leaked, texts)


def test_layout_is_deterministic_inside_the_canvas_and_never_overlaps() -> None:
    words = [CloudWord(f"word{n}", 40 - n) for n in range(40)]
    placed = layout(words, 720, 400)
    assert placed == layout(words, 720, 400)
    assert len(placed) == 40 and placed[0].text == "word0" and placed[0].size > placed[-1].size
    assert [p.size for p in placed] == sorted((p.size for p in placed), reverse=True)  # sized by frequency
    for p in placed:
        x0, y0, x1, y1 = p.box
        assert 0 <= x0 and 0 <= y0 and x1 <= 720 and y1 <= 400
    for a, b in itertools.combinations(placed, 2):
        ax0, ay0, ax1, ay1 = a.box
        bx0, by0, bx1, by1 = b.box
        assert ax1 <= bx0 or bx1 <= ax0 or ay1 <= by0 or by1 <= ay0, (a.text, b.text)


def test_empty_and_tiny_inputs() -> None:
    assert word_cloud([]).words == [] and word_cloud([]).placed == []
    assert word_cloud(["Just one note about parking"]).words == []
    one = layout([CloudWord("parking", 3)])
    assert len(one) == 1 and one[0].x == 360
