"""Quick polls in a live session: a facilitator asks, everyone in the session answers once, screens count live.

An answer row holds the option and a pseudonym made for that poll alone (HMAC of the conversation key with its
own purpose, the poll id and the person's user key): one answer per person per poll is the primary key, yet
answers to two polls, or an answer and a vote, cannot be linked (rule A3). No time is kept with an answer (A5).
Results are counts per option for everyone together; no breakdown by organisation or staff group is offered,
so no figure about a group changes in step with one person's answer (rule A4).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from app import live
from app.crypto import tag
from app.extensions import db
from app.live import LiveMessage
from app.models import Conversation, Poll, PollAnswer, PollKind, PollStatus
from app.services.access import get_conversation
from app.services.common.errors import InvalidInput, NotAllowedNow, NotFound
from app.services.common.keys import conversation_key
from app.services.common.participants import Participant

SCALE = ["1", "2", "3", "4", "5"]
SCALE_ENDS = ("Not at all", "Completely")
MIN_OPTIONS, MAX_OPTIONS = 2, 6
QUESTION_MAX, OPTION_MAX = 300, 80
BOARD_POLLS = 20  # the console lists this many of the newest polls


@dataclass(frozen=True)
class PollResults:
    """A poll with its counts per option (in the poll's order) and how many answered."""

    poll: Poll
    counts: list[int]

    @property
    def total(self) -> int:
        return sum(self.counts)

    def percent(self, index: int) -> int:
        return round(100 * self.counts[index] / self.total) if self.total else 0

    def payload(self) -> dict[str, Any]:
        """What every screen is told: the question, options, state and counts (no who, no when)."""
        poll = self.poll
        return {"poll_id": poll.id, "question": poll.question, "kind": poll.kind, "options": list(poll.options),
                "status": poll.status, "counts": self.counts, "total": self.total}


@dataclass(frozen=True)
class MyPoll:
    """The poll a participant sees on the board, and their own answer if they gave one."""

    results: PollResults
    my_choice: int | None


def answerer_pseudonym(key: bytes, poll_id: int, user_key: str) -> str:
    """This person's pseudonym for one poll: its own HMAC purpose, so it matches no vote and no other poll."""
    return tag(key, "poll", str(poll_id), user_key)


def _clean_options(kind: str, options: list[str]) -> list[str]:
    if kind == PollKind.SCALE:
        return list(SCALE)
    if kind != PollKind.CHOICE:
        raise InvalidInput("Choose single choice or a 1 to 5 scale.", field="kind")
    cleaned = [" ".join(o.split()) for o in options if o and o.strip()]
    if not MIN_OPTIONS <= len(cleaned) <= MAX_OPTIONS:
        raise InvalidInput(f"Give from {MIN_OPTIONS} to {MAX_OPTIONS} choices.", field="options")
    if any(len(o) > OPTION_MAX for o in cleaned):
        raise InvalidInput(f"Each choice must be {OPTION_MAX} characters or fewer.", field="options")
    if len({o.casefold() for o in cleaned}) != len(cleaned):
        raise InvalidInput("Each choice must be different.", field="options")
    return cleaned


def create_poll(conversation: Conversation, question: str, kind: str, options: list[str]) -> Poll:
    """Draft a poll for a live session (the facilitator opens it when ready)."""
    text = " ".join((question or "").split())
    if not 3 <= len(text) <= QUESTION_MAX:
        raise InvalidInput(f"Enter a question of 3 to {QUESTION_MAX} characters.", field="question")
    poll = Poll(conversation_id=conversation.id, question=text, kind=kind, options=_clean_options(kind, options))
    db.session.add(poll)
    db.session.commit()
    return poll


def _poll(conversation: Conversation, poll_id: int, *, for_update: bool = False) -> Poll:
    query = sa.select(Poll).where(Poll.id == poll_id, Poll.conversation_id == conversation.id)
    poll = db.session.scalar(query.with_for_update() if for_update else query)
    if poll is None:
        raise NotFound("We could not find that poll.")
    return poll


def counts(poll: Poll) -> list[int]:
    found = dict(db.session.execute(sa.select(PollAnswer.choice, sa.func.count()).where(
        PollAnswer.poll_id == poll.id).group_by(PollAnswer.choice)).all())
    return [int(found.get(i, 0)) for i in range(len(poll.options))]


def results(poll: Poll) -> PollResults:
    return PollResults(poll, counts(poll))


def _announce(poll: Poll) -> tuple[PollResults, LiveMessage]:
    found = results(poll)
    return found, live.record(poll.conversation_id, "poll", found.payload())


def open_poll(conversation: Conversation, poll_id: int) -> PollResults:
    """Open a poll for answers (closing any other open poll of the session) and put it on every screen."""
    if not conversation.is_accepting():
        raise NotAllowedNow("This conversation is not open, so polls cannot be run.")
    poll = _poll(conversation, poll_id, for_update=True)
    if poll.status == PollStatus.CLOSED:
        raise NotAllowedNow("This poll has closed. Start a new poll to ask again.")
    messages = []
    for other in db.session.scalars(sa.select(Poll).where(Poll.conversation_id == conversation.id,
                                                          Poll.status == PollStatus.OPEN, Poll.id != poll.id)):
        other.status = PollStatus.CLOSED
        messages.append(_announce(other)[1])
    poll.status = PollStatus.OPEN
    found, message = _announce(poll)
    db.session.commit()
    for each in (*messages, message):
        live.publish(each)
    return found


def close_poll(conversation: Conversation, poll_id: int) -> PollResults:
    """Stop taking answers; the results stay on the screens."""
    poll = _poll(conversation, poll_id, for_update=True)
    if poll.status != PollStatus.OPEN:
        raise NotAllowedNow("This poll is not open.")
    poll.status = PollStatus.CLOSED
    found, message = _announce(poll)
    db.session.commit()
    live.publish(message)
    return found


def _insert_once(poll_id: int, answerer: str, choice: int) -> bool:
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    inserted = db.session.execute(insert(PollAnswer).values(poll_id=poll_id, answerer=answerer, choice=choice)
                                  .on_conflict_do_nothing(index_elements=["poll_id", "answerer"])
                                  .returning(PollAnswer.poll_id)).scalar()
    return inserted is not None


def answer_poll(participant: Participant, conversation_id: int, poll_id: int, choice: int) -> bool:
    """Record this person's answer; False (and nothing changed) when they have already answered this poll."""
    conversation = get_conversation(participant, conversation_id)
    poll = _poll(conversation, poll_id)
    if poll.status != PollStatus.OPEN or not conversation.is_accepting():
        raise NotAllowedNow("This poll is not taking answers now.")
    if not 0 <= choice < len(poll.options):
        raise InvalidInput("Choose one of the answers.", field="choice")
    answerer = answerer_pseudonym(conversation_key(conversation), poll.id, participant.user_key)
    if not _insert_once(poll.id, answerer, choice):
        db.session.rollback()
        return False
    _, message = _announce(poll)
    db.session.commit()
    live.publish(message)
    return True


def current_poll(conversation: Conversation) -> Poll | None:
    """The poll on the screens: the open one, else the newest that has been closed."""
    return db.session.scalar(sa.select(Poll).where(
        Poll.conversation_id == conversation.id, Poll.status != PollStatus.DRAFT
    ).order_by((Poll.status == PollStatus.OPEN).desc(), Poll.id.desc()).limit(1))


def presenter_poll(conversation: Conversation) -> PollResults | None:
    poll = current_poll(conversation)
    return None if poll is None else results(poll)


def board_poll(participant: Participant, conversation: Conversation) -> MyPoll | None:
    """The poll on the board for this person, with their own answer (found by recomputing their pseudonym)."""
    poll = current_poll(conversation)
    if poll is None:
        return None
    answerer = answerer_pseudonym(conversation_key(conversation), poll.id, participant.user_key)
    mine = db.session.scalar(sa.select(PollAnswer.choice).where(PollAnswer.poll_id == poll.id,
                                                                PollAnswer.answerer == answerer))
    return MyPoll(results(poll), mine)


def console_polls(conversation: Conversation) -> list[PollResults]:
    """The session's polls for the facilitator, newest first, with their counts."""
    polls = db.session.scalars(sa.select(Poll).where(Poll.conversation_id == conversation.id)
                               .order_by(Poll.id.desc()).limit(BOARD_POLLS)).all()
    return [results(poll) for poll in polls]


def option_label(poll: Poll, index: int) -> str:
    """An option as people read it: a choice's text, or a scale point with the words at its ends."""
    option = str(poll.options[index])
    if poll.kind == PollKind.SCALE and index in (0, len(poll.options) - 1):
        return f"{option} ({SCALE_ENDS[0 if index == 0 else 1].lower()})"
    return option
