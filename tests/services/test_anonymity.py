"""The anonymity promise, checked against a full database dump after a seeded run."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.crypto import voter_pseudonym
from app.extensions import db
from app.models import Comment, ConversationKey, Idea, User, Vote
from app.models.base import utcnow
from app.seed import seed
from app.services.conversations import lifecycle
from app.services.content import ideas
from app.services.content import voting
from app.services.common.errors import NotAllowedNow
from app.services.common.keys import conversation_key, shred_expired_keys
from app.services.content.listing import my_posts
from app.services.common.participants import Participant

# password_link: account set-up, never content; message_preference: who unsubscribed from reminders or
# announcements, the same for everyone whatever they wrote (docs/anonymity.md, messaging)
PEOPLE_TABLES = {"user", "membership", "api_token", "password_link", "message_preference"}
# The moderation log names the moderator, who is accountable; it never holds anything about an author.
ACCOUNTABLE = {"moderation_entry": {"moderator_id"}}


@pytest.fixture
def seeded(app):
    seed(idea_count=60)
    return app


def _dump() -> dict[str, list[dict]]:
    """Every row of every table, as a backup would hold it."""
    return {
        table.name: [dict(row._mapping) for row in db.session.execute(sa.select(table))]
        for table in db.metadata.sorted_tables
    }


def test_dump_holds_no_user_id_email_or_key_outside_people_tables(seeded):
    users = db.session.scalars(sa.select(User)).all()
    secrets = {u.email for u in users} | {u.user_key for u in users} | {u.user_key.split(":", 1)[1] for u in users}
    dump = _dump()
    assert dump["idea"] and dump["comment"] and dump["vote"]
    for name, rows in dump.items():
        if name in PEOPLE_TABLES:
            continue
        table = db.metadata.tables[name]
        assert not any(fk.column.table.name in PEOPLE_TABLES and fk.parent.name not in ACCOUNTABLE.get(name, set())
                       for fk in table.foreign_keys), name
        assert not any(col.name in {"user_id", "email", "user_key", "author_id", "ip"} for col in table.columns), name
        for row in rows:
            for value in row.values():
                text = value.hex() if isinstance(value, bytes) else str(value)
                assert not any(secret in text for secret in secrets), (name, row)


def test_content_rows_have_hour_times_and_votes_have_none(seeded):
    assert {c.name for c in Vote.__table__.columns} == {"idea_id", "voter", "conversation_id", "value"}
    for model in (Idea, Comment):
        times = db.session.scalars(sa.select(model.created_hour)).all()
        assert times and all(t.minute == 0 and t.second == 0 and t.microsecond == 0 for t in times)
        time_columns = [c.name for c in model.__table__.columns if isinstance(c.type, sa.DateTime)]
        assert time_columns == ["created_hour"]


def test_author_tags_never_repeat_and_do_not_link_posts(app, make_user, make_conversation, as_participant):
    conversation = make_conversation()
    person = as_participant(make_user())
    posted = [ideas.post_idea(person, conversation.questions[0].id, f"Idea {i} from one person")[0] for i in range(5)]
    tags = [i.author_tag for i in posted]
    assert len(set(tags)) == 5
    assert len({i.nonce for i in posted}) == 5
    # The voter pseudonym is unrelated to any author tag, and differs between conversations.
    other = make_conversation(title="Second conversation")
    key1, key2 = conversation_key(conversation), conversation_key(other)
    assert voter_pseudonym(key1, person.user_key) not in tags
    assert voter_pseudonym(key1, person.user_key) != voter_pseudonym(key2, person.user_key)


def test_content_ids_are_random_not_sequential(seeded):
    ids = db.session.scalars(sa.select(Idea.id)).all()
    assert all(not i.isdigit() and len(i) >= 20 for i in ids)
    assert len(set(ids)) == len(ids)


def test_keys_are_stored_wrapped_only(seeded):
    records = db.session.scalars(sa.select(ConversationKey)).all()
    for record in records:
        from app.models import Conversation

        key = conversation_key(db.session.get(Conversation, record.conversation_id))
        assert record.wrapped and key not in record.wrapped and len(record.wrapped) > len(key)


def test_shredding_makes_posts_unlinkable(app, make_user, make_conversation, as_participant):
    conversation = make_conversation()
    person = as_participant(make_user())
    idea, _ = ideas.post_idea(person, conversation.questions[0].id, "Something I said")
    voting.cast_vote(person, idea.id, "support")
    assert len(my_posts(person, conversation.id).ideas) == 1
    lifecycle.close_conversation(conversation)
    conversation.closed_at = utcnow() - timedelta(days=app.config["CHORUS_SHRED_GRACE_DAYS"] + 1)
    db.session.commit()
    assert shred_expired_keys() == [conversation.id]
    db.session.expire_all()
    assert conversation.key.wrapped is None and conversation.key.destroyed_at is not None
    archived = my_posts(person, conversation.id)  # says it is archived, and can find nothing
    assert archived.archived and archived.ideas == [] and archived.comments == []
    with pytest.raises(NotAllowedNow, match="archived"):
        ideas.edit_idea(person, idea.id, "Something else I said")
    with pytest.raises(NotAllowedNow):
        lifecycle.open_conversation(conversation)
    # Content and counts remain for reports.
    assert db.session.get(Idea, idea.id).body == "Something I said"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Vote)) == 1


def test_participant_carries_no_user_id(app, make_user):
    person = Participant.from_user(make_user())
    assert not hasattr(person, "id") and not hasattr(person, "email")
