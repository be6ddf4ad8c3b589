"""Quick polls: drafting, opening and closing, one answer per person per poll, live counts and clear refusals."""

from __future__ import annotations

import json
import threading

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import LiveEvent, Poll, PollAnswer, PollStatus
from app.services.common.errors import InvalidInput, NotAllowedNow, NotFound
from app.services.workshops import polls
from tests.conftest import BACKEND


def _events(conversation_id: int) -> list[dict]:
    rows = db.session.scalars(sa.select(LiveEvent).where(LiveEvent.conversation_id == conversation_id,
                                                         LiveEvent.type == "poll").order_by(LiveEvent.id))
    return [json.loads(row.payload) for row in rows]


def _count(model) -> int:  # type: ignore[no-untyped-def]
    return db.session.scalar(sa.select(sa.func.count()).select_from(model)) or 0


def test_a_poll_is_drafted_opened_answered_once_and_closed(app, make_conversation, make_user, as_participant):
    conversation = make_conversation()
    poll = polls.create_poll(conversation, "  Which   change first? ", "choice", ["Rotas", "", " Parking ", "Food"])
    assert (poll.question, poll.options, poll.status) == ("Which change first?", ["Rotas", "Parking", "Food"], "draft")
    people = [as_participant(make_user()) for _ in range(3)]
    with pytest.raises(NotAllowedNow):  # a draft takes no answers
        polls.answer_poll(people[0], conversation.id, poll.id, 0)
    polls.open_poll(conversation, poll.id)
    assert polls.answer_poll(people[0], conversation.id, poll.id, 1) is True
    assert polls.answer_poll(people[1], conversation.id, poll.id, 1) is True
    assert polls.answer_poll(people[2], conversation.id, poll.id, 2) is True
    assert polls.answer_poll(people[0], conversation.id, poll.id, 0) is False  # once: the first answer stands
    found = polls.results(db.session.get_one(Poll, poll.id))
    assert found.counts == [0, 2, 1] and found.total == 3 and found.percent(1) == 67
    mine = polls.board_poll(people[0], conversation)
    assert mine is not None and mine.my_choice == 1
    assert polls.board_poll(as_participant(make_user()), conversation).my_choice is None
    polls.close_poll(conversation, poll.id)
    with pytest.raises(NotAllowedNow):
        polls.answer_poll(as_participant(make_user()), conversation.id, poll.id, 0)
    with pytest.raises(NotAllowedNow):
        polls.open_poll(conversation, poll.id)  # closed for good: ask again with a new poll
    statuses = [(e["status"], e["counts"], e["total"]) for e in _events(conversation.id)]
    assert statuses == [("open", [0, 0, 0], 0), ("open", [0, 1, 0], 1), ("open", [0, 2, 0], 2),
                        ("open", [0, 2, 1], 3), ("closed", [0, 2, 1], 3)]  # the repeat answer made no event
    assert all(set(e) == {"poll_id", "question", "kind", "options", "status", "counts", "total"}
               for e in _events(conversation.id))


def test_a_scale_has_five_points_and_opening_one_poll_closes_another(app, make_conversation, make_user,
                                                                     as_participant):
    conversation = make_conversation()
    first = polls.create_poll(conversation, "Which change first?", "choice", ["Rotas", "Parking"])
    scale = polls.create_poll(conversation, "How supported do you feel?", "scale", ["ignored"])
    assert scale.options == ["1", "2", "3", "4", "5"]
    assert polls.option_label(scale, 0) == "1 (not at all)" and polls.option_label(scale, 4) == "5 (completely)"
    polls.open_poll(conversation, first.id)
    polls.open_poll(conversation, scale.id)
    db.session.expire_all()
    assert db.session.get_one(Poll, first.id).status == PollStatus.CLOSED
    assert polls.current_poll(conversation).id == scale.id
    with pytest.raises(InvalidInput):
        polls.answer_poll(as_participant(make_user()), conversation.id, scale.id, 5)
    polls.close_poll(conversation, scale.id)
    assert polls.current_poll(conversation).id == scale.id  # the newest closed poll stays on the screens
    assert [r.poll.id for r in polls.console_polls(conversation)] == [scale.id, first.id]


@pytest.mark.parametrize(("question", "kind", "options", "field"), [
    ("", "choice", ["A", "B"], "question"),
    ("Hi", "choice", ["A", "B"], "question"),
    ("x" * 301, "choice", ["A", "B"], "question"),
    ("Which first?", "choice", ["Only one"], "options"),
    ("Which first?", "choice", [str(n) for n in range(7)], "options"),
    ("Which first?", "choice", ["Same", "same"], "options"),
    ("Which first?", "choice", ["A", "x" * 81], "options"),
    ("Which first?", "ranking", ["A", "B"], "kind"),
])
def test_bad_polls_are_refused_clearly_and_write_nothing(app, make_conversation, question, kind, options, field):
    conversation = make_conversation()
    with pytest.raises(InvalidInput) as refused:
        polls.create_poll(conversation, question, kind, options)
    assert refused.value.field == field and refused.value.message
    assert _count(Poll) == 0


def test_people_outside_the_conversation_cannot_answer_or_see_its_polls(app, make_conversation, make_user, make_org,
                                                                        as_participant):
    conversation = make_conversation()
    other = make_conversation(organisation=make_org("Hillside Trust"))
    poll = polls.create_poll(conversation, "Which change first?", "choice", ["Rotas", "Parking"])
    polls.open_poll(conversation, poll.id)
    outsider = as_participant(make_user(organisation=make_org("Far Away Trust")))
    with pytest.raises(NotFound):
        polls.answer_poll(outsider, conversation.id, poll.id, 0)
    with pytest.raises(NotFound):  # a poll of another conversation, through one the person can see
        polls.answer_poll(as_participant(make_user()), other.id, poll.id, 0)
    assert _count(PollAnswer) == 0


def test_a_closed_conversation_runs_no_polls(app, make_conversation, make_user, as_participant):
    conversation = make_conversation(status="closed")
    poll = polls.create_poll(conversation, "Which change first?", "choice", ["Rotas", "Parking"])
    with pytest.raises(NotAllowedNow):
        polls.open_poll(conversation, poll.id)


@pytest.mark.skipif(BACKEND != "postgresql", reason="concurrent double answers need PostgreSQL")
def test_concurrent_double_answers_count_once(app, make_conversation, make_user, as_participant):
    conversation = make_conversation()
    poll = polls.create_poll(conversation, "Which change first?", "choice", ["Rotas", "Parking"])
    polls.open_poll(conversation, poll.id)
    person = as_participant(make_user())
    conversation_id, poll_id = conversation.id, poll.id
    results: list[bool] = []
    start = threading.Barrier(6)

    def answer() -> None:
        with app.app_context():
            start.wait(timeout=60)
            results.append(polls.answer_poll(person, conversation_id, poll_id, 0))
            db.session.remove()

    threads = [threading.Thread(target=answer) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(results) == [False] * 5 + [True]
    assert _count(PollAnswer) == 1
