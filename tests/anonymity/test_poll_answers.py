"""Attacks on quick-poll answers: a dump must not tie an answer to a person, to their votes or to other polls."""

from __future__ import annotations

import json

import pytest

from app.crypto import voter_pseudonym
from app.services.common.keys import conversation_key
from app.services.content import ideas, voting
from app.services.workshops import polls
from tests.anonymity.dumps import added_rows, changed_tables, dump, is_postgres, rows_by_xmin

pytestmark = pytest.mark.filterwarnings("ignore:Cannot correctly sort tables:sqlalchemy.exc.SAWarning")
# What an answer may touch: the answer, the event telling screens the counts, and the conversation's event counter.
ALLOWED = {"poll_answer", "live_event", "conversation"}


@pytest.fixture
def session_with_polls(app, make_conversation, make_user, as_participant):  # type: ignore[no-untyped-def]
    conversation = make_conversation()
    users = [make_user() for _ in range(4)]
    people = [as_participant(u) for u in users]
    idea, _ = ideas.post_idea(people[0], conversation.questions[0].id, "Rotas six weeks ahead please")
    voting.cast_vote(people[1], idea.id, "support")
    first = polls.create_poll(conversation, "Which change first?", "choice", ["Rotas", "Parking", "Food"])
    second = polls.create_poll(conversation, "How supported do you feel?", "scale", [])
    polls.open_poll(conversation, first.id)
    return conversation, users, people, first, second


def _secrets(user) -> list[str]:  # type: ignore[no-untyped-def]
    return [user.user_key, user.email, user.display_name, user.user_key.split(":", 1)[1], f'"id": {user.id}']


def test_an_answer_writes_only_the_answer_and_its_counts(app, session_with_polls):
    conversation, users, people, first, _ = session_with_polls
    before = dump()
    polls.answer_poll(people[1], conversation.id, first.id, 2)
    after = dump()
    assert set(changed_tables(before, after)) <= ALLOWED
    [answer] = added_rows(before, after, "poll_answer")
    assert set(answer) - {"xmin", "ctid"} == {"poll_id", "answerer", "choice"}  # no user, group or time
    [event] = added_rows(before, after, "live_event")
    stored = repr(answer) + event["payload"]
    for user in users:
        assert not any(secret in stored for secret in _secrets(user))
    assert answer["answerer"] not in event["payload"]  # screens get counts, never a pseudonym
    assert json.loads(event["payload"])["counts"] == [0, 0, 1]
    # The repeat is refused without any write at all.
    again = dump()
    assert polls.answer_poll(people[1], conversation.id, first.id, 0) is False
    assert changed_tables(again, dump()) == {}


def test_answers_are_unlinkable_to_votes_and_to_other_polls(app, session_with_polls):
    conversation, users, people, first, second = session_with_polls
    polls.answer_poll(people[1], conversation.id, first.id, 0)
    polls.close_poll(conversation, first.id)
    polls.open_poll(conversation, second.id)
    polls.answer_poll(people[1], conversation.id, second.id, 4)
    snapshot = dump()
    answerers = {row["poll_id"]: row["answerer"] for row in snapshot["poll_answer"]}
    assert answerers[first.id] != answerers[second.id]  # the same person, two unrelated pseudonyms
    voters = {row["voter"] for row in snapshot["vote"]}
    assert voters and not voters & set(answerers.values())
    key = conversation_key(conversation)
    assert voter_pseudonym(key, users[1].user_key) in voters
    # Only the conversation key (never in a dump) recomputes who answered; with it, it is that person's alone.
    assert polls.answerer_pseudonym(key, first.id, users[1].user_key) == answerers[first.id]
    assert polls.answerer_pseudonym(key, first.id, users[2].user_key) != answerers[first.id]


def test_no_person_row_shares_a_transaction_with_an_answer(app, session_with_polls):
    """PostgreSQL: rows lined up by xmin; an answer's transaction holds no person, organisation or group row."""
    if not is_postgres():
        pytest.skip("xmin exists only on PostgreSQL; this attack runs in the PostgreSQL pass")
    conversation, _, people, first, _ = session_with_polls
    for person in people:
        polls.answer_poll(person, conversation.id, first.id, 1)
    for xmin, rows in rows_by_xmin(dump()).items():
        tables = {table for table, _ in rows}
        if "poll_answer" in tables:
            assert tables <= ALLOWED, f"transaction {xmin} wrote an answer with {tables}"
