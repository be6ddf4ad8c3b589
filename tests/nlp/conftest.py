"""Small synthetic staff-feedback corpus shared by the nlp tests."""

from __future__ import annotations

import random

import pytest

from nlp.themes import Document

TOPICS: dict[str, list[str]] = {
    "parking": ["car parking", "parking permits", "parking spaces", "parking charges", "multi storey car parking"],
    "rota": ["rota changes", "shift patterns", "night shifts", "rota published late", "unsafe shift swaps"],
    "canteen": ["canteen food", "hot meals", "canteen opening hours", "vending machines", "healthy food options"],
    "training": ["mandatory training", "training courses", "study leave", "e-learning modules", "training budget"],
    "equipment": ["broken equipment", "computers crashing", "slow computers", "equipment shortages", "old printers"],
}
FRAMES = [
    "The {a} are a problem and the {b} make it worse",
    "Please fix the {a}; also the {b}",
    "We keep complaining about {a} and {b}",
    "Nobody listens about {a}, {b} too",
    "Can management look at {a} and {b}?",
]


def make_corpus(n: int, seed: int = 0) -> tuple[list[Document], list[str]]:
    """n short feedback texts, each about one topic, with their gold topic."""
    rng = random.Random(seed)
    docs: list[Document] = []
    gold: list[str] = []
    names = sorted(TOPICS)
    for i in range(n):
        topic = names[i % len(names)]
        a, b = rng.sample(TOPICS[topic], 2)
        docs.append(Document(f"d{i}", rng.choice(FRAMES).format(a=a, b=b)))
        gold.append(topic)
    return docs, gold


@pytest.fixture(scope="session")
def corpus() -> tuple[list[Document], list[str]]:
    """250 documents over five topics."""
    return make_corpus(250)
