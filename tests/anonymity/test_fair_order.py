"""Rule A3: the "fair random order" a person sees must not be reproducible from anything in a dump.

The attacker looks over a colleague's shoulder at the first ideas of their list, then takes a database dump
(before or after the conversation's key is shredded) and tries every stored value as the seed of the order.
"""

from __future__ import annotations

import hashlib
import hmac
import warnings
from typing import Any

from sqlalchemy.exc import SAWarning

from app.extensions import db
from app.services.conversations import lifecycle
from app.services.content import ideas
from app.services.common import keys
from app.services.content import voting
from app.services.content.listing import list_ideas
from tests.anonymity import dumps

IDEAS = 30
VOTERS = 12
SEEN = 5  # ideas the attacker reads off the colleague's screen: chance of a false match is 1 in 30*29*28*27*26


def dump() -> dict[str, list[dict[str, Any]]]:
    """dumps.dump(), without SQLAlchemy's warning about the conversation <-> theme_run foreign-key cycle."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SAWarning)
        return dumps.dump()


def _stored_strings(snapshot: dict[str, list[dict[str, Any]]]) -> set[str]:
    """Every text value of every row of every table: each one is a candidate seed."""
    return {value for rows in snapshot.values() for row in rows for name, value in row.items()
            if isinstance(value, str) and name not in ("xmin", "ctid") and len(value) < 200}


def _orders(seed: str, idea_ids: list[str]) -> list[list[str]]:
    """The orders an attacker would try for one candidate seed (plain hash and keyed hash, both ways round)."""
    raw = seed.encode()
    tries = [
        lambda i: hashlib.sha256(raw + i.encode()).digest(),
        lambda i: hashlib.sha256(i.encode() + raw).digest(),
        lambda i: hmac.new(raw, i.encode(), hashlib.sha256).digest(),
    ]
    return [sorted(idea_ids, key=key) for key in tries]


def _matching_seeds(snapshot: dict[str, list[dict[str, Any]]], idea_ids: list[str], seen: list[str]) -> set[str]:
    return {seed for seed in _stored_strings(snapshot)
            if any(order[:len(seen)] == seen for order in _orders(seed, idea_ids))}


def _seed_votes(make_user, make_conversation, as_participant):  # type: ignore[no-untyped-def]
    conversation = make_conversation()
    question = conversation.questions[0].id
    author = as_participant(make_user())
    posted = [ideas.post_idea(author, question, f"Idea {n}: more staff on the wards at night, please")[0].id
              for n in range(IDEAS)]
    people = [as_participant(make_user()) for _ in range(VOTERS)]
    for n, person in enumerate(people):
        for idea_id in posted[n % 3::2]:
            voting.cast_vote(person, idea_id, "support")
    return conversation, question, posted, people


def test_fair_order_is_not_reproducible_from_a_dump_or_after_shredding(make_user, make_conversation, as_participant):
    conversation, question, posted, people = _seed_votes(make_user, make_conversation, as_participant)
    screens = {n: [card.idea.id for card in list_ideas(people[n], question, "random").cards[:SEEN]]
               for n in range(VOTERS)}
    # The order stays fair and stable: each person gets the same list twice, and people get different lists.
    assert [c.idea.id for c in list_ideas(people[0], question, "random").cards[:SEEN]] == screens[0]
    assert len({tuple(s) for s in screens.values()}) > VOTERS // 2

    before = dump()
    for n, seen in screens.items():
        assert not _matching_seeds(before, posted, seen), f"voter {n}'s order is reproducible from a dump"

    lifecycle.close_conversation(conversation)
    keys.shred_key(conversation)
    db.session.commit()
    after = dump()
    for n, seen in screens.items():
        assert not _matching_seeds(after, posted, seen), f"voter {n}'s order is reproducible after shredding"
