"""Issue #15 part 1: invitations, reminders and announcements never depend on what anyone wrote or voted.

Recipients are the audience list alone: in a conversation where only some people posted, voted or commented, every
kind of message goes to exactly the same people as in one where nobody did, or other people did; the words are the
same for posters and non-posters; sending writes no row about any person; logs carry no address (rule A7).
Runs on SQLite and on PostgreSQL (CHORUS_TEST_DB=postgresql).
"""

from __future__ import annotations

import logging
import re

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Theme
from app.services.common.participants import Participant
from app.services.content import comments, ideas, voting
from app.services.messaging import broadcasts
from app.services.messaging.broadcasts import Request
from app.services.triage import outcomes
from tests.messaging_servers import Mailbox

KINDS = ("invitation", "reminder", "announcement")


@pytest.fixture
def app(mail_app):  # type: ignore[no-untyped-def]
    """Email goes to this test's local SMTP server (tests/messaging_servers.py)."""
    return mail_app


def _with_outcome(conversation) -> None:  # type: ignore[no-untyped-def]
    theme = Theme(conversation_id=conversation.id, label="Rest breaks")
    db.session.add(theme)
    db.session.commit()
    outcomes.publish_outcome(theme, "Breaks get skipped on busy wards", "Protect a 30-minute break each shift",
                             "Director of Nursing", None)


def _take_part(conversation, people) -> None:  # type: ignore[no-untyped-def]
    """Some people post, vote and comment; everyone else stays silent."""
    posters, voters, commenters = people[:2], people[2:5], people[5:6]
    idea, _ = ideas.post_idea(Participant.from_user(posters[0]), conversation.questions[0].id,
                              "Protected breaks for night shift staff")
    ideas.post_idea(Participant.from_user(posters[1]), conversation.questions[1].id, "Fewer duplicate forms to fill in")
    for person in voters:
        voting.cast_vote(Participant.from_user(person), idea.id, "support")
    comments.add_comment(Participant.from_user(commenters[0]), idea.id, "Yes, and cover for the break too")


def _send_all(conversation, mailbox: Mailbox) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    got = {}
    for kind in KINDS:
        mailbox.clear()
        message = broadcasts.schedule_message(conversation, Request(kind, True, False, "now"))
        assert message.status == "sent", message.last_error
        got[kind] = sorted(mailbox.recipients)
    return got


def _row_counts() -> dict[str, int]:
    return {t.name: db.session.scalar(sa.select(sa.func.count()).select_from(t)) or 0 for t in db.metadata.sorted_tables}


def test_recipient_lists_are_identical_whoever_posted_or_voted(make_user, make_conversation, smtp_server: Mailbox,
                                                               caplog: pytest.LogCaptureFixture) -> None:
    people = [make_user(staff_group="Nursing") for _ in range(14)]
    everyone = sorted(u.email for u in people)
    some_took_part, nobody, others_took_part = (make_conversation(title=t) for t in ("Ward A", "Ward B", "Ward C"))
    _take_part(some_took_part, people)
    _take_part(others_took_part, list(reversed(people)))
    for conversation in (some_took_part, nobody, others_took_part):
        _with_outcome(conversation)
    before = _row_counts()
    with caplog.at_level(logging.DEBUG):
        lists = {c.title: _send_all(c, smtp_server) for c in (some_took_part, nobody, others_took_part)}
    for title, by_kind in lists.items():
        for kind, recipients in by_kind.items():
            assert recipients == everyone, (title, kind)  # the audience: no more, no fewer, whoever took part
    after = _row_counts()
    changed = {name for name in before if before[name] != after[name]}
    assert changed == {"outreach_message"}, changed  # no row about any person, nothing marked "told"
    # Rule A7: Chorus's own log lines (the test SMTP server's "mail.log" is the recipient's side) carry no address.
    ours = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("mail.log"))
    assert "outreach message" in ours and not re.search(r"[\w.+-]+@[\w-]+\.[\w.]+", ours)


def test_posters_and_silent_people_get_the_same_words(make_user, make_conversation, smtp_server: Mailbox) -> None:
    people = [make_user() for _ in range(12)]
    conversation = make_conversation()
    _take_part(conversation, people)
    _with_outcome(conversation)
    for kind in KINDS:
        smtp_server.clear()
        broadcasts.schedule_message(conversation, Request(kind, True, False, "now"))
        bodies = {}
        for tos, message in smtp_server.messages:
            text = message.get_body(("plain",)).get_content()
            html = message.get_body(("html",)).get_content()
            # The only per-person part is the person's own unsubscribe link.
            strip = re.compile(r"/messages/unsubscribe/[\w.-]+")
            bodies[tos[0]] = (message["Subject"], strip.sub("", text), strip.sub("", html))
        assert len(bodies) == 12 and len(set(bodies.values())) == 1, kind
