"""Posting, editing, withdrawing and listing ideas and comments."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Comment, Idea
from app.services.content import comments
from app.services.conversations import lifecycle
from app.services.content import ideas
from app.services.common.errors import InvalidInput, NotAllowedNow, NotFound
from app.services.content.listing import PER_PAGE, idea_detail, list_ideas, my_posts


def test_post_idea_stores_text_and_hour_only(make_user, make_conversation, as_participant):
    conversation = make_conversation()
    person = as_participant(make_user())
    idea, created = ideas.post_idea(person, conversation.questions[0].id, "  More **rest** areas  \r\n\r\n\r\nplease ")
    assert created
    assert idea.body == "More **rest** areas\n\nplease"
    assert idea.created_hour.minute == 0 and idea.created_hour.second == 0 and idea.created_hour.microsecond == 0
    assert len(idea.id) >= 20 and not idea.id.isdigit()


@pytest.mark.parametrize("body, message", [
    ("", "Enter your idea"),
    ("   \n ", "Enter your idea"),
    ("abc", "5 characters or more"),
    ("x" * 2001, "2,000 characters or fewer"),
])
def test_bad_idea_text_is_refused_and_nothing_is_saved(make_user, make_conversation, as_participant, body, message):
    conversation = make_conversation()
    with pytest.raises(InvalidInput, match=message):
        ideas.post_idea(as_participant(make_user()), conversation.questions[0].id, body)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Idea)) == 0


def test_same_client_token_makes_one_idea(make_user, make_conversation, as_participant):
    conversation = make_conversation()
    person = as_participant(make_user())
    first, created1 = ideas.post_idea(person, conversation.questions[0].id, "Free parking at night", client_token="form-abc-123")
    second, created2 = ideas.post_idea(person, conversation.questions[0].id, "Free parking at night", client_token="form-abc-123")
    assert (created1, created2) == (True, False)
    assert first.id == second.id
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Idea)) == 1
    # Another person using the same token is a different submission.
    _, created3 = ideas.post_idea(as_participant(make_user()), conversation.questions[0].id, "Free parking at night", client_token="form-abc-123")
    assert created3


def test_closed_draft_and_unlisted_conversations_refuse_posts(make_user, make_conversation, make_org, as_participant):
    person = as_participant(make_user())
    closed = make_conversation(status="closed")
    with pytest.raises(NotAllowedNow, match="closed"):
        ideas.post_idea(person, closed.questions[0].id, "Too late for this")
    draft = make_conversation(status="draft")
    with pytest.raises(NotFound):
        ideas.post_idea(person, draft.questions[0].id, "Not open yet")
    elsewhere = make_conversation(organisation=make_org("Other Trust"))
    with pytest.raises(NotFound):
        ideas.post_idea(person, elsewhere.questions[0].id, "Not my organisation")
    with pytest.raises(NotFound):
        ideas.post_idea(person, 999_999, "No such question")


def test_scheduled_close_stops_posts(make_user, make_conversation, as_participant):
    from datetime import timedelta

    from app.models.base import utcnow

    conversation = make_conversation()
    conversation.closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    with pytest.raises(NotAllowedNow):
        ideas.post_idea(as_participant(make_user()), conversation.questions[0].id, "After the deadline")
    assert lifecycle.close_due_conversations() == [conversation.id]


def test_only_the_author_can_edit_or_withdraw_and_others_get_not_found(make_user, make_conversation, as_participant):
    conversation = make_conversation()
    author, other = as_participant(make_user()), as_participant(make_user())
    idea, _ = ideas.post_idea(author, conversation.questions[0].id, "Original idea text")
    with pytest.raises(NotFound):
        ideas.edit_idea(other, idea.id, "Hijacked text here")
    with pytest.raises(NotFound):
        ideas.withdraw_idea(other, idea.id)
    edited = ideas.edit_idea(author, idea.id, "Better idea text")
    assert edited.body == "Better idea text" and edited.edited
    ideas.withdraw_idea(author, idea.id)
    db.session.expire_all()
    assert db.session.get(Idea, idea.id).body == ""
    with pytest.raises(NotFound):
        idea_detail(author, idea.id)
    with pytest.raises(NotFound):
        ideas.edit_idea(author, idea.id, "Edit after withdrawal")


def test_comments_lifecycle(make_user, make_conversation, as_participant):
    conversation = make_conversation()
    author, commenter = as_participant(make_user()), as_participant(make_user())
    idea, _ = ideas.post_idea(author, conversation.questions[0].id, "Hot food for night shifts")
    comment, _ = comments.add_comment(commenter, idea.id, "Yes please!")
    with pytest.raises(InvalidInput):
        comments.add_comment(commenter, idea.id, "x" * 501)
    with pytest.raises(NotFound):
        comments.edit_comment(author, comment.id, "Not mine to edit")
    comments.edit_comment(commenter, comment.id, "Yes please, and hot drinks")
    detail = idea_detail(author, idea.id)
    assert [(v.comment.body, v.mine) for v in detail.comments] == [("Yes please, and hot drinks", False)]
    assert idea_detail(commenter, idea.id).comments[0].mine
    comments.withdraw_comment(commenter, comment.id)
    assert idea_detail(author, idea.id).comments == []


def test_comments_can_be_turned_off(make_user, make_conversation, as_participant):
    conversation = make_conversation(comments_enabled=False)
    person = as_participant(make_user())
    idea, _ = ideas.post_idea(person, conversation.questions[0].id, "An idea without comments")
    with pytest.raises(NotAllowedNow, match="turned off"):
        comments.add_comment(person, idea.id, "Hello")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Comment)) == 0


def test_my_posts_finds_only_my_items(make_user, make_conversation, as_participant):
    conversation = make_conversation()
    me, them = as_participant(make_user()), as_participant(make_user())
    mine = {ideas.post_idea(me, conversation.questions[0].id, f"My idea number {i}")[0].id for i in range(3)}
    theirs, _ = ideas.post_idea(them, conversation.questions[1].id, "Their idea text")
    comment, _ = comments.add_comment(me, theirs.id, "My comment on theirs")
    posts = my_posts(me, conversation.id)
    assert {card.idea.id for card in posts.ideas} == mine
    assert [c.id for c in posts.comments] == [comment.id]
    assert all(card.mine for card in posts.ideas)
    assert my_posts(them, conversation.id).comments == []


def test_sorting_and_fair_random_order(make_user, make_conversation, as_participant):
    from app.services.content import voting

    conversation = make_conversation()
    question = conversation.questions[0]
    people = [as_participant(make_user()) for _ in range(3)]
    posted = [ideas.post_idea(people[0], question.id, f"Idea number {i:02d}")[0] for i in range(PER_PAGE + 5)]
    voting.cast_vote(people[1], posted[7].id, "support")
    voting.cast_vote(people[2], posted[7].id, "support")
    voting.cast_vote(people[1], posted[3].id, "support")
    comments.add_comment(people[2], posted[11].id, "Discussed")
    supported = list_ideas(people[1], question.id, "supported")
    assert [c.idea.id for c in supported.cards[:2]] == [posted[7].id, posted[3].id]
    assert supported.cards[0].support == 2 and supported.cards[0].my_vote == "support"
    assert list_ideas(people[1], question.id, "discussed").cards[0].idea.id == posted[11].id
    first = list_ideas(people[1], question.id, "random")
    assert first.total == PER_PAGE + 5 and first.pages == 2 and len(first.cards) == PER_PAGE
    again = list_ideas(people[1], question.id, "random")
    assert [c.idea.id for c in first.cards] == [c.idea.id for c in again.cards]
    # Each reader enters the shared shuffle at a point and in a direction of their own: two readers' first pages
    # match by chance (1 in 50 here), seven readers' all match practically never.
    others = [list_ideas(reader, question.id, "random")
              for reader in [people[2], *(as_participant(make_user()) for _ in range(5))]]
    assert any([c.idea.id for c in other.cards] != [c.idea.id for c in first.cards] for other in others)
    page2 = list_ideas(people[1], question.id, "random", page=2)
    all_ids = {c.idea.id for c in first.cards} | {c.idea.id for c in page2.cards}
    assert all_ids == {i.id for i in posted}
    assert list_ideas(people[1], question.id, "random", page=99).page == 2
    assert list_ideas(people[1], question.id, "bogus").sort == "random"


def test_fair_random_order_walks_every_idea_once_from_each_persons_own_start(
        make_user, make_conversation, as_participant):
    """Issue #18: a page of the fair random order reads only that page, and wraps round without loss or repeat."""
    conversation = make_conversation()
    question = conversation.questions[0]
    author = as_participant(make_user())
    posted = {ideas.post_idea(author, question.id, f"Idea number {i:02d} about rotas")[0].id
              for i in range(2 * PER_PAGE + 7)}
    firsts = set()
    for _ in range(12):
        reader = as_participant(make_user())
        seen = [c.idea.id for page in (1, 2, 3) for c in list_ideas(reader, question.id, "random", page=page).cards]
        assert len(seen) == len(posted) and set(seen) == posted  # every idea once, across the wrap
        firsts.add(seen[0])
    assert len(firsts) >= 6  # readers start at different ideas, so no idea always leads the list


def test_a_comment_follows_the_conversations_settings_as_they_are_now(make_user, make_conversation, as_participant):
    """What a comment reads of its conversation, each changed after the idea was posted: named mode names it,
    pre-moderation holds it, comments turned off refuse it, and a destroyed key refuses it as archived."""
    from app.models import ContentStatus, Conversation, ConversationKey

    conversation = make_conversation()
    person = as_participant(make_user())
    idea, _ = ideas.post_idea(person, conversation.questions[0].id, "An idea to comment on")
    plain, _ = comments.add_comment(person, idea.id, "A comment with no name")
    assert plain.author_name is None and plain.status == ContentStatus.PUBLISHED

    def change(**values: object) -> None:
        db.session.execute(sa.update(Conversation).where(Conversation.id == conversation.id).values(**values))
        db.session.commit()

    change(named_mode=True)
    named, _ = comments.add_comment(person, idea.id, "A comment with a name")
    assert named.author_name == person.display_name and named.status == ContentStatus.PUBLISHED
    change(named_mode=False, moderation_mode="pre")
    held, _ = comments.add_comment(person, idea.id, "A comment a moderator sees first")
    assert held.author_name is None and held.status == ContentStatus.PENDING
    assert db.session.scalar(sa.select(Comment.queued).where(Comment.id == held.id))
    change(moderation_mode="post", comments_enabled=False)
    with pytest.raises(NotAllowedNow, match="turned off"):
        comments.add_comment(person, idea.id, "Refused")
    change(comments_enabled=True)
    db.session.execute(sa.update(ConversationKey).where(ConversationKey.conversation_id == conversation.id)
                       .values(wrapped=None))
    db.session.commit()
    with pytest.raises(NotAllowedNow, match="archived"):
        comments.add_comment(person, idea.id, "Refused too")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Comment)) == 3


def test_a_guest_comments_only_in_the_conversation_of_the_code(make_user, make_conversation, as_participant):
    """A guest's comment goes through the guest's own access check (one conversation, guests allowed, not a draft)."""
    from app.models import ContentStatus, Conversation
    from app.services.common.participants import Participant

    theirs, other = make_conversation(), make_conversation(title="Another conversation")
    db.session.execute(sa.update(Conversation).where(Conversation.id == theirs.id).values(allow_guests=True))
    db.session.commit()
    staff = as_participant(make_user())
    idea, _ = ideas.post_idea(staff, theirs.questions[0].id, "An idea a guest can see")
    elsewhere, _ = ideas.post_idea(staff, other.questions[0].id, "An idea a guest cannot see")
    guest = Participant(user_key="guest-key", organisation_ids=frozenset(), display_name="Guest",
                        guest_conversation_id=theirs.id)
    comment, created = comments.add_comment(guest, idea.id, "A guest's comment")
    assert created and comment.status == ContentStatus.PUBLISHED and comment.conversation_id == theirs.id
    with pytest.raises(NotFound):
        comments.add_comment(guest, elsewhere.id, "Not here")
    db.session.execute(sa.update(Conversation).where(Conversation.id == theirs.id).values(allow_guests=False))
    db.session.commit()
    with pytest.raises(NotFound):
        comments.add_comment(guest, idea.id, "Guests no longer allowed")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Comment)) == 1
