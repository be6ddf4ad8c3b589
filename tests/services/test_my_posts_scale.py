""""My ideas and comments" finds a person's posts by recomputing tags over (id, nonce, tag) only, storing nothing."""

from __future__ import annotations

import secrets

import sqlalchemy as sa

from app.crypto import author_tag, author_tagger
from app.extensions import db
from app.models import Comment, ContentStatus, Idea
from app.services.content import comments, ideas
from app.services.content.listing import my_posts


def test_the_fast_tagger_gives_exactly_the_author_tag() -> None:
    key = secrets.token_bytes(32)
    for user_key in ("tid:oid-1", "local:" + secrets.token_hex(16), "ü-ñ"):
        tag_for = author_tagger(key, user_key)
        for nonce in (secrets.token_hex(16), "x", ""):
            assert tag_for(nonce) == author_tag(key, user_key, nonce)


def test_my_posts_lists_own_posts_in_any_state_and_loads_nobody_elses(make_user, make_conversation, as_participant):
    conversation = make_conversation()
    me, other = as_participant(make_user()), as_participant(make_user())
    question = conversation.questions[0].id
    theirs = [ideas.post_idea(other, question, f"Other person's idea number {n} about rotas")[0].id for n in range(30)]
    first, _ = ideas.post_idea(me, question, "Lockers that work for the night shift")
    held, _ = ideas.post_idea(me, question, "A second idea of mine about the canteen hours")
    gone, _ = ideas.post_idea(me, question, "An idea I will take back about parking")
    note, _ = comments.add_comment(me, theirs[0], "My comment on their idea")
    comments.add_comment(other, first.id, "Their comment on my idea")
    held.status = ContentStatus.HIDDEN  # as a moderator's hiding leaves it
    db.session.commit()
    ideas.withdraw_idea(me, gone.id)
    expected_ideas, note_id, gone_id, conversation_id = {first.id, held.id}, note.id, gone.id, conversation.id
    db.session.expunge_all()

    loaded: list[str] = []

    def record(target: Idea | Comment, _context: object) -> None:
        loaded.append(target.id)

    for model in (Idea, Comment):
        sa.event.listen(model, "load", record)
    try:
        posts = my_posts(me, conversation_id)
    finally:
        for model in (Idea, Comment):
            sa.event.remove(model, "load", record)
    assert {card.idea.id for card in posts.ideas} == expected_ideas
    assert all(card.mine for card in posts.ideas)
    assert [c.id for c in posts.comments] == [note_id]
    # Only the person's own posts became objects: other people's ideas and comments were never loaded.
    assert set(loaded) == expected_ideas | {note_id}
    assert db.session.scalar(sa.select(Idea.status).where(Idea.id == gone_id)) == ContentStatus.WITHDRAWN
