"""Batch release: waiting posts are hidden from everyone but their author, then appear together, shuffled."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app import live
from app.extensions import db
from app.jobs import scheduler
from app.models import Comment, ContentStatus, Idea, LiveEvent
from app.models.base import this_hour, utcnow
from app.services.content import comments
from app.services.conversations import lifecycle
from app.services.content import ideas
from app.services.workshops import session
from app.services.moderation import decisions
from app.services.conversations import release
from app.services.themes import reading
from app.services.common.errors import InvalidInput, NotFound
from app.services.content.listing import idea_detail, list_ideas, my_posts
from app.services.conversations.participation import participation_figures
from app.services.conversations.participation_batch import refresh_snapshot


@pytest.fixture
def published(monkeypatch):  # type: ignore[no-untyped-def]
    """Every live message published after a commit, in order."""
    sent: list[live.LiveMessage] = []
    real = live.publish

    def capture(*messages):  # type: ignore[no-untyped-def]
        sent.extend(m for m in messages if m is not None)
        real(*messages)

    monkeypatch.setattr(live, "publish", capture)
    return sent


@pytest.fixture
def team(make_user, make_conversation, as_participant):  # type: ignore[no-untyped-def]
    conversation = make_conversation()
    _batch(conversation, size=3, wait=24)
    people = [as_participant(make_user()) for _ in range(4)]
    return conversation, conversation.questions[0].id, people


def _batch(conversation, *, on: bool = True, size: int = 5, wait: int = 24) -> None:  # type: ignore[no-untyped-def]
    release.apply_settings(conversation, on, size, wait)
    db.session.commit()


def _events(conversation_id: int) -> list[LiveEvent]:
    return list(db.session.scalars(sa.select(LiveEvent).where(LiveEvent.conversation_id == conversation_id)
                                   .order_by(LiveEvent.id)))


def test_a_waiting_post_is_hidden_from_others_everywhere_but_its_author_sees_it(team, published):
    conversation, question, (alice, bob, *_) = team
    idea, created = ideas.post_idea(alice, question, "Quiet rooms for breaks on every ward")
    assert created and idea.status == ContentStatus.WAITING and not idea.queued
    assert list_ideas(bob, question).total == 0
    with pytest.raises(NotFound):
        idea_detail(bob, idea.id)
    assert reading.similar_ideas(bob, conversation.id, "Quiet rooms for breaks on every ward") == []
    refresh_snapshot(conversation.id)
    assert participation_figures(conversation).ideas == 0
    assert _events(conversation.id) == [] and published == []
    assert my_posts(bob, conversation.id).ideas == []
    [mine] = my_posts(alice, conversation.id).ideas
    assert mine.idea.id == idea.id and mine.idea.status == ContentStatus.WAITING
    assert release.waiting_count(conversation) == 1


def test_waiting_comments_are_hidden_and_shown_to_their_author_on_the_idea_page(team, published):
    conversation, question, (alice, bob, carol, _) = team
    _batch(conversation, on=False, size=3)
    idea, _ = ideas.post_idea(alice, question, "Free hot drinks on night shifts")
    _batch(conversation, size=3)
    published.clear()
    comment, _ = comments.add_comment(bob, idea.id, "And soup in winter")
    assert comment.status == ContentStatus.WAITING and published == []
    assert idea_detail(carol, idea.id).comments == [] and idea_detail(carol, idea.id).card.comments == 0
    assert idea_detail(carol, idea.id).own_unpublished == []
    assert [c.id for c in idea_detail(bob, idea.id).own_unpublished] == [comment.id]


def test_the_author_can_edit_and_withdraw_a_waiting_post_without_any_live_event(team, published):
    conversation, question, (alice, *_) = team
    idea, _ = ideas.post_idea(alice, question, "Lockers that actually lock")
    edited = ideas.edit_idea(alice, idea.id, "Lockers that actually lock, near the wards")
    assert edited.status == ContentStatus.WAITING and edited.body.endswith("near the wards")
    ideas.withdraw_idea(alice, idea.id)
    assert release.waiting_count(conversation) == 0
    assert _events(conversation.id) == [] and published == []


def test_a_full_batch_appears_together_with_one_hour_and_shuffled_events(team, published):
    conversation, question, (alice, bob, carol, _) = team
    texts = ["Water fountains on every floor", "Secure bike storage", "Rotas four weeks ahead"]
    posted = [ideas.post_idea(p, question, t)[0] for p, t in zip((alice, bob, carol), texts, strict=True)]
    for idea in posted:
        db.session.refresh(idea)
    assert {i.status for i in posted} == {ContentStatus.PUBLISHED}
    assert {i.created_hour for i in posted} == {this_hour()}
    assert list_ideas(bob, question).total == 3
    assert sorted(m.data["idea_id"] for m in published) == sorted(i.id for i in posted)
    assert [e.type for e in _events(conversation.id)] == ["idea"] * 3
    assert release.waiting_count(conversation) == 0


def test_a_released_batch_queues_its_conversation_for_embedding(team, monkeypatch):
    """The embedding job takes a conversation id: a release must not hand it the released ideas' ids."""
    from app import jobs
    from app.services.themes import embeddings

    queued: list[tuple[object, ...]] = []
    monkeypatch.setattr(embeddings, "embeddings_enabled", lambda: True)
    monkeypatch.setattr(jobs, "enqueue_once", lambda name, *args: queued.append((name, *args)))
    conversation, question, (alice, bob, carol, _) = team
    for person, text in zip((alice, bob, carol), ["Lockers for night staff", "Hot meals at night", "Quiet rest rooms"],
                            strict=True):
        ideas.post_idea(person, question, text)
    assert release.waiting_count(conversation) == 0
    assert queued and set(queued) == {("ideas.embed", conversation.id)}


def test_the_scheduler_tick_releases_a_batch_that_has_waited_long_enough(app, team):
    conversation, question, (alice, bob, *_) = team
    idea, _ = ideas.post_idea(alice, question, "Staff parking near the entrance")
    assert release.release_due() == 0  # one post, just written: not due yet
    assert release.release_due(utcnow() + timedelta(hours=23)) == 0
    db.session.execute(sa.update(Idea).where(Idea.id == idea.id).values(created_hour=this_hour() - timedelta(hours=25)))
    db.session.commit()
    scheduler.tick(app)
    db.session.expire_all()
    assert db.session.get(Idea, idea.id).status == ContentStatus.PUBLISHED
    assert db.session.get(Idea, idea.id).created_hour == this_hour()
    assert list_ideas(bob, question).total == 1


def test_a_facilitator_can_release_on_demand(team, published):
    conversation, question, (alice, bob, *_) = team
    idea, _ = ideas.post_idea(alice, question, "Better wifi in the staff room")
    assert release.release_now(conversation) == 1
    assert idea.status == ContentStatus.PUBLISHED and [m.type for m in published] == ["idea"]
    assert release.release_now(conversation) == 0


def test_closing_releases_waiting_posts_and_keeps_no_ordered_log(team, published):
    conversation, question, (alice, bob, *_) = team
    idea, _ = ideas.post_idea(alice, question, "Longer handovers")
    lifecycle.close_conversation(conversation)
    assert idea.status == ContentStatus.PUBLISHED
    assert [m.type for m in published] == ["idea", "phase"]
    assert [e.type for e in _events(conversation.id)] == ["phase"]  # the log is forgotten at close


def test_a_conversation_closing_by_date_releases_at_the_tick(app, team):
    conversation, question, (alice, *_) = team
    idea, _ = ideas.post_idea(alice, question, "Flexible start times")
    conversation.closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    scheduler.tick(app)
    db.session.expire_all()
    assert db.session.get(Idea, idea.id).status == ContentStatus.PUBLISHED


def test_turning_the_setting_off_releases_what_is_waiting(team, published):
    conversation, question, (alice, *_) = team
    idea, _ = ideas.post_idea(alice, question, "A rest room for night staff")
    details = lifecycle.ConversationDetails(
        title=conversation.title, audience_ids=[o.id for o in conversation.audience],
        questions=[q.text for q in conversation.questions], closes_at=conversation.closes_at, batch_release=False)
    lifecycle.update_conversation(conversation, details)
    assert idea.status == ContentStatus.PUBLISHED and [m.type for m in published] == ["idea"]


def test_a_phase_change_releases_waiting_notes(team):
    conversation, question, (alice, *_) = team
    session.set_phase(conversation, "collect")
    idea, _ = ideas.post_idea(alice, question, "Sticky note about rotas")
    assert idea.status == ContentStatus.WAITING
    session.set_phase(conversation, "vote")
    assert idea.status == ContentStatus.PUBLISHED


def test_pre_moderation_comes_first_and_an_approved_post_joins_the_next_batch(team, make_user):
    conversation, question, (alice, bob, *_) = team
    moderator = make_user("facilitator")
    decisions.update_settings(conversation, moderation_mode="pre", report_threshold=3, allow_guests=False)
    idea, _ = ideas.post_idea(alice, question, "Named rota coordinators")
    assert idea.status == ContentStatus.PENDING and release.waiting_count(conversation) == 0
    assert [q.item.id for q in decisions.moderation_queue(conversation)] == [idea.id]
    decisions.approve_item(conversation, moderator.id, "idea", idea.id)
    assert idea.status == ContentStatus.WAITING and list_ideas(bob, question).total == 0
    assert release.release_now(conversation) == 1 and list_ideas(bob, question).total == 1


def test_a_smaller_batch_size_releases_at_once_when_already_reached(team):
    conversation, question, (alice, bob, *_) = team
    _batch(conversation, size=10)
    for person, text in ((alice, "Hot food at night"), (bob, "Fewer pointless meetings"), (alice, "Clear rotas")):
        ideas.post_idea(person, question, text)
    assert release.waiting_count(conversation) == 3
    _batch(conversation, size=3)
    assert release.waiting_count(conversation) == 0 and list_ideas(bob, question).total == 3


@pytest.mark.parametrize(("size", "wait", "field"), [
    (2, 24, "batch_size"), (101, 24, "batch_size"), ("5", 24, "batch_size"), (True, 24, "batch_size"),
    (5, 0, "batch_max_wait_hours"), (5, 169, "batch_max_wait_hours"), (5, None, "batch_max_wait_hours"),
])
def test_bad_settings_are_refused_with_the_field_and_change_nothing(team, size, wait, field):
    conversation, *_ = team
    with pytest.raises(InvalidInput) as refused:
        release.apply_settings(conversation, True, size, wait)
    db.session.rollback()
    assert refused.value.field == field
    assert (conversation.batch_size, conversation.batch_max_wait_hours) == (3, 24)


def test_comments_in_a_batch_are_released_with_the_ideas(team):
    conversation, question, (alice, bob, carol, dan) = team
    _batch(conversation, on=False, size=3)
    idea, _ = ideas.post_idea(alice, question, "Showers for cyclists")
    _batch(conversation, size=3)
    comments.add_comment(bob, idea.id, "Yes, and drying racks")
    ideas.post_idea(carol, question, "Lockers for cyclists too")
    assert release.waiting_count(conversation) == 2
    comments.add_comment(dan, idea.id, "Please")
    assert len(idea_detail(alice, idea.id).comments) == 2
    hours = {c.created_hour for c in db.session.scalars(sa.select(Comment).where(Comment.idea_id == idea.id))}
    assert hours == {this_hour()}


def test_approving_a_hidden_post_joins_the_batch_but_a_visible_one_stays(team, make_user):
    conversation, question, (alice, bob, *_) = team
    moderator = make_user("facilitator")
    _batch(conversation, on=False, size=3)
    shown, _ = ideas.post_idea(alice, question, "Rotas a month ahead")
    hidden, _ = ideas.post_idea(bob, question, "Rotas six weeks ahead")
    _batch(conversation, size=3)
    decisions.hide_item(conversation, moderator.id, "idea", hidden.id, "duplicate")
    decisions.approve_item(conversation, moderator.id, "idea", shown.id)
    decisions.approve_item(conversation, moderator.id, "idea", hidden.id)
    assert shown.status == ContentStatus.PUBLISHED
    assert hidden.status == ContentStatus.WAITING and list_ideas(alice, question).total == 1


def test_an_automatic_move_on_releases_waiting_notes(team):
    from app.services.workshops import auto_advance

    conversation, question, (alice, *_) = team
    session.set_phase(conversation, "collect")
    auto_advance.set_auto_advance(conversation, True)
    idea, _ = ideas.post_idea(alice, question, "Note written just before time ran out")
    conversation.phase_ends_at = utcnow().replace(microsecond=0) - timedelta(seconds=1)
    db.session.commit()
    assert auto_advance.catch_up(conversation) is True and conversation.phase == "vote"
    db.session.refresh(idea)
    assert idea.status == ContentStatus.PUBLISHED
