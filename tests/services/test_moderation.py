"""Moderation paths: pre/post moderation, automatic flags, reports, decisions, notices and the log."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.crypto import tag
from app.extensions import db
from app.models import Comment, ContentReport, ContentStatus, Idea, ModerationEntry
from app.services.content import comments
from app.services.content import ideas
from app.services.moderation import decisions
from app.services.moderation import notices
from app.services.moderation import reports
from app.services.common.errors import InvalidInput, NotFound
from app.services.common.keys import conversation_key
from app.services.content.listing import idea_detail, list_ideas, my_posts


@pytest.fixture
def setup(make_user, make_conversation, as_participant):
    conversation = make_conversation()
    facilitator = make_user("facilitator")
    author, others = as_participant(make_user()), [as_participant(make_user()) for _ in range(4)]
    return conversation, facilitator, author, others


def _question(conversation) -> int:  # type: ignore[no-untyped-def]
    return conversation.questions[0].id


def _pre(conversation) -> None:  # type: ignore[no-untyped-def]
    decisions.update_settings(conversation, moderation_mode="pre", report_threshold=3, allow_guests=False)


def test_post_moderation_shows_clean_posts_at_once(setup):
    conversation, _, author, others = setup
    idea, _ = ideas.post_idea(author, _question(conversation), "Water fountains on every floor")
    assert idea.status == ContentStatus.PUBLISHED and not idea.queued
    assert [c.idea.id for c in list_ideas(others[0], _question(conversation)).cards] == [idea.id]
    assert decisions.moderation_queue(conversation) == []


def test_pre_moderation_holds_until_approved(setup):
    conversation, facilitator, author, others = setup
    _pre(conversation)
    idea, _ = ideas.post_idea(author, _question(conversation), "Water fountains on every floor")
    assert idea.status == ContentStatus.PENDING and idea.queued
    assert list_ideas(others[0], _question(conversation)).total == 0
    with pytest.raises(NotFound):
        idea_detail(others[0], idea.id)
    mine = my_posts(author, conversation.id)
    assert [c.idea.id for c in mine.ideas] == [idea.id]  # the author still sees it, with its state
    assert my_posts(others[0], conversation.id).ideas == []
    [queued] = decisions.moderation_queue(conversation)
    assert queued.item.id == idea.id and "Held until a moderator approves it" in queued.reasons[0]
    decisions.approve_item(conversation, facilitator.id, "idea", idea.id)
    assert idea.status == ContentStatus.PUBLISHED and not idea.queued
    assert list_ideas(others[0], _question(conversation)).total == 1
    # Editing an approved post in a pre-moderated conversation holds it again.
    ideas.edit_idea(author, idea.id, "Water fountains on every floor, please")
    assert idea.status == ContentStatus.PENDING and idea.queued


def test_abusive_language_is_held_even_in_post_moderation(setup):
    conversation, _, author, others = setup
    idea, _ = ideas.post_idea(author, _question(conversation), "The rota manager is an idiot")
    assert idea.flagged_abusive and idea.status == ContentStatus.PENDING
    clean, _ = ideas.post_idea(author, _question(conversation), "Rotas six weeks ahead")
    new, _ = comments.add_comment(others[0], clean.id, "Total bollocks")
    comment = db.session.get(Comment, new.id)
    assert comment.flagged_abusive and comment.status == ContentStatus.PENDING
    assert idea_detail(others[1], clean.id).comments == []
    reasons = {q.item.id: q.reasons for q in decisions.moderation_queue(conversation)}
    assert "May contain abusive language" in reasons[idea.id] and "May contain abusive language" in reasons[comment.id]


def test_identifying_details_confirmed_by_the_author_are_held(setup):
    conversation, _, author, _ = setup
    idea, _ = ideas.post_idea(author, _question(conversation), "Dr Patel on Ward 7 shouts at the nurses",
                              allow_identifying=True)
    assert idea.flagged_identifying and idea.status == ContentStatus.PENDING
    clean, _ = ideas.post_idea(author, _question(conversation), "Rotas six weeks ahead")
    new, _ = comments.add_comment(author, clean.id, "Ask Sister Jones on Ward 9", allow_identifying=True)
    comment = db.session.get(Comment, new.id)
    assert comment.flagged_identifying and comment.queued
    [first, second] = sorted(decisions.moderation_queue(conversation), key=lambda q: q.kind != "idea")
    assert any("identifying" in r for r in first.reasons) and any("identifying" in r for r in second.reasons)


def test_reports_from_distinct_people_hide_at_the_threshold(setup):
    conversation, _, author, others = setup
    idea, _ = ideas.post_idea(author, _question(conversation), "Let us swap shifts by app")
    assert reports.report_item(others[0], "idea", idea.id, "off_topic", "Not about work")
    assert not reports.report_item(others[0], "idea", idea.id, "abusive")  # the same person again: no change
    assert reports.unresolved_reports("idea", idea.id) == 1
    assert idea.queued and idea.status == ContentStatus.PUBLISHED
    reports.report_item(others[1], "idea", idea.id, "off_topic")
    assert idea.status == ContentStatus.PUBLISHED
    reports.report_item(others[2], "idea", idea.id, "duplicate")
    assert idea.status == ContentStatus.HIDDEN
    assert list_ideas(others[3], _question(conversation)).total == 0
    with pytest.raises(NotFound):  # hidden: nobody can report or see it any more
        reports.report_item(others[3], "idea", idea.id, "off_topic")
    rows = db.session.scalars(sa.select(ContentReport)).all()
    key = conversation_key(conversation)
    assert {r.reporter for r in rows} == {tag(key, "report", p.user_key) for p in others[:3]}
    assert not any(p.user_key in r.reporter for r in rows for p in others)
    [entry] = db.session.scalars(sa.select(ModerationEntry)).all()
    assert entry.action == "auto_hide" and entry.moderator_id is None
    [queued] = decisions.moderation_queue(conversation)
    assert queued.report_reasons == {"It is off topic": 2, "It repeats another post": 1}
    assert queued.report_notes == ["Not about work"]


def test_reports_on_comments_and_a_custom_threshold(setup):
    conversation, facilitator, author, others = setup
    decisions.update_settings(conversation, moderation_mode="post", report_threshold=1, allow_guests=False)
    idea, _ = ideas.post_idea(others[0], _question(conversation), "Quiet room for breaks")
    new, _ = comments.add_comment(author, idea.id, "Yes please")
    comment = db.session.get(Comment, new.id)
    reports.report_item(others[1], "comment", comment.id, "duplicate")
    assert comment.status == ContentStatus.HIDDEN
    decisions.approve_item(conversation, facilitator.id, "comment", comment.id)
    assert comment.status == ContentStatus.PUBLISHED and reports.unresolved_reports("comment", comment.id) == 0
    # Cleared reports do not count again, and the same person cannot report twice.
    assert not reports.report_item(others[1], "comment", comment.id, "duplicate")
    assert comment.status == ContentStatus.PUBLISHED


@pytest.mark.parametrize("reason, note, message", [
    ("rude", "", "Choose why"), ("other", "", "Tell the moderators"), ("other", "x" * 501, "500 characters"),
])
def test_bad_reports_are_refused_and_store_nothing(setup, reason, note, message):
    conversation, _, author, others = setup
    idea, _ = ideas.post_idea(author, _question(conversation), "Let us swap shifts by app")
    with pytest.raises(InvalidInput, match=message):
        reports.report_item(others[0], "idea", idea.id, reason, note)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ContentReport)) == 0
    assert not idea.queued


def test_hide_notifies_only_the_author_who_can_rewrite_and_requeue(setup):
    conversation, facilitator, author, others = setup
    idea, _ = ideas.post_idea(author, _question(conversation), "The canteen food is terrible")
    other_idea, _ = ideas.post_idea(others[0], _question(conversation), "Better canteen hours")
    decisions.hide_item(conversation, facilitator.id, "idea", idea.id, "off_topic", "Please link it to the question")
    assert idea.status == ContentStatus.HIDDEN and idea.notice_unseen
    [notice] = notices.notices_for(author)
    assert notice.item.id == idea.id and "off topic" in notice.message and notice.note == "Please link it to the question"
    assert all(notices.notices_for(p) == [] for p in others)
    with pytest.raises(NotFound):
        notices.dismiss_notice(others[0], "idea", idea.id)
    assert [c.idea.id for c in my_posts(author, conversation.id).ideas] == [idea.id]
    # Rewriting answers the notice and sends the idea back to the queue.
    ideas.edit_idea(author, idea.id, "The canteen closes before night staff can eat")
    assert idea.status == ContentStatus.PENDING and idea.queued and not idea.notice_unseen
    [queued] = decisions.moderation_queue(conversation)
    assert queued.item.id == idea.id and "Rewritten after moderation" in queued.reasons[0]
    decisions.approve_item(conversation, facilitator.id, "idea", idea.id)
    assert {c.idea.id for c in list_ideas(others[1], _question(conversation)).cards} == {idea.id, other_idea.id}


def test_dismissing_a_notice_gives_a_token_and_writes_nothing(setup):
    conversation, facilitator, author, _ = setup
    idea, _ = ideas.post_idea(author, _question(conversation), "The canteen food is terrible")
    decisions.hide_item(conversation, facilitator.id, "idea", idea.id, "duplicate")
    token = notices.dismiss_notice(author, "idea", idea.id)
    assert db.session.get(Idea, idea.id).notice_unseen and not db.session.dirty  # the item is left alone
    assert notices.notices_for(author, {token}) == []
    assert [n.token for n in notices.notices_for(author)] == [token]
    # A new decision on the same item is a new notice, so an old dismissal does not hide it.
    decisions.approve_item(conversation, facilitator.id, "idea", idea.id)
    decisions.hide_item(conversation, facilitator.id, "idea", idea.id, "off_topic", "Say how it helps")
    assert [n.reason for n in notices.notices_for(author, {token})] == ["off_topic"]


def test_redact_edits_the_text_with_a_mark_and_tells_the_author(setup):
    conversation, facilitator, author, others = setup
    idea, _ = ideas.post_idea(author, _question(conversation), "Dr Patel on Ward 7 shouts at the nurses",
                              allow_identifying=True)
    with pytest.raises(InvalidInput, match="Change the text"):
        decisions.redact_item(conversation, facilitator.id, "idea", idea.id, idea.body)
    decisions.redact_item(conversation, facilitator.id, "idea", idea.id, "A doctor shouts at the nurses")
    assert idea.status == ContentStatus.PUBLISHED and idea.moderator_edited and not idea.queued
    assert idea_detail(others[0], idea.id).card.idea.body == "A doctor shouts at the nurses"
    [notice] = notices.notices_for(author)
    assert notice.action == "redact" and "edited by a moderator" in notice.message
    # An author's own later edit goes back to the queue and drops the moderator's mark.
    ideas.edit_idea(author, idea.id, "A senior doctor shouts at the nurses")
    assert idea.status == ContentStatus.PENDING and not idea.moderator_edited


def test_comment_hide_and_redact(setup):
    conversation, facilitator, author, others = setup
    idea, _ = ideas.post_idea(others[0], _question(conversation), "Quiet room for breaks")
    comment, _ = comments.add_comment(author, idea.id, "Yes, near the ward")
    decisions.redact_item(conversation, facilitator.id, "comment", comment.id, "Yes, nearby")
    assert idea_detail(others[1], idea.id).comments[0].comment.moderator_edited
    decisions.hide_item(conversation, facilitator.id, "comment", comment.id, "other", "Not needed")
    assert idea_detail(others[1], idea.id).comments == []
    assert [n.kind for n in notices.notices_for(author)] == ["comment"]


@pytest.mark.parametrize("kwargs, message", [
    ({"reason": "nope"}, "Choose why"), ({"reason": "other"}, "Explain why"),
    ({"reason": "abusive", "note": "x" * 501}, "500 characters"),
])
def test_bad_hide_requests_change_nothing(setup, kwargs, message):
    conversation, facilitator, author, _ = setup
    idea, _ = ideas.post_idea(author, _question(conversation), "The canteen food is terrible")
    with pytest.raises(InvalidInput, match=message):
        decisions.hide_item(conversation, facilitator.id, "idea", idea.id, **kwargs)
    db.session.rollback()
    assert db.session.get(Idea, idea.id).status == ContentStatus.PUBLISHED
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ModerationEntry)) == 0


def test_items_of_other_conversations_or_withdrawn_are_not_found(setup, make_conversation):
    conversation, facilitator, author, _ = setup
    other = make_conversation(title="Another one")
    idea, _ = ideas.post_idea(author, _question(other), "Lockers for agency staff")
    with pytest.raises(NotFound):
        decisions.approve_item(conversation, facilitator.id, "idea", idea.id)
    ideas.withdraw_idea(author, idea.id)
    with pytest.raises(NotFound):
        decisions.hide_item(other, facilitator.id, "idea", idea.id, "duplicate")
    with pytest.raises(NotFound):
        decisions.get_item(other, "vote", idea.id)


def test_log_names_moderators_never_authors(setup):
    conversation, facilitator, author, others = setup
    idea, _ = ideas.post_idea(author, _question(conversation), "The canteen food is terrible")
    comment, _ = comments.add_comment(others[0], idea.id, "Agreed")
    decisions.hide_item(conversation, facilitator.id, "idea", idea.id, "abusive")
    decisions.approve_item(conversation, facilitator.id, "comment", comment.id)
    entries = decisions.moderation_log(conversation)
    assert [(e.entry.action, e.entry.item_kind, e.entry.reason) for e in entries] == [
        ("approve", "comment", None), ("hide", "idea", "abusive")]
    assert {e.moderator for e in entries} == {facilitator.display_name}
    assert {c.name for c in ModerationEntry.__table__.columns} == {
        "id", "conversation_id", "item_kind", "item_id", "action", "reason", "note", "moderator_id", "created_at"}


def test_reports_are_taken_after_closing_until_the_key_is_destroyed(setup):
    from app.services.conversations import lifecycle
    from app.services.common.errors import NotAllowedNow
    from app.services.common.keys import shred_key

    conversation, _, author, others = setup
    idea, _ = ideas.post_idea(author, _question(conversation), "Let us swap shifts by app")
    lifecycle.close_conversation(conversation)
    assert reports.report_item(others[0], "idea", idea.id, "duplicate")
    shred_key(conversation)
    db.session.commit()
    with pytest.raises(NotAllowedNow):
        reports.report_item(others[1], "idea", idea.id, "duplicate")
    assert reports.unresolved_reports("idea", idea.id) == 1


@pytest.mark.parametrize("kwargs, field", [
    ({"moderation_mode": "sometimes", "report_threshold": 3}, "moderation_mode"),
    ({"moderation_mode": "pre", "report_threshold": 0}, "report_threshold"),
    ({"moderation_mode": "pre", "report_threshold": 51}, "report_threshold"),
])
def test_bad_settings_are_refused_and_change_nothing(setup, kwargs, field):
    conversation = setup[0]
    with pytest.raises(InvalidInput) as error:
        decisions.update_settings(conversation, allow_guests=True, **kwargs)
    assert error.value.field == field
    db.session.rollback()
    assert (conversation.moderation_mode, conversation.report_threshold, conversation.allow_guests, conversation.join_code) == (
        "post", 3, False, None)


def test_hiding_recomputes_themes_without_the_hidden_idea(setup):
    from app.models import Conversation, ThemeAssignment
    from app.services.themes import runs

    conversation, facilitator, author, others = setup
    texts = [f"Free staff parking at night please, variant {n}" for n in range(8)] + \
            [f"Hot food in the canteen on night shifts, option {n}" for n in range(8)]
    posted = [ideas.post_idea(others[n % 4], _question(conversation), text)[0] for n, text in enumerate(texts)]
    first = runs.request_theme_run(conversation.id)
    db.session.refresh(conversation)
    assert conversation.current_theme_run_id == first.id
    decisions.hide_item(conversation, facilitator.id, "idea", posted[0].id, "duplicate")
    current = db.session.get(Conversation, conversation.id).current_theme_run_id
    assert current != first.id
    assigned = set(db.session.scalars(sa.select(ThemeAssignment.idea_id).where(ThemeAssignment.run_id == current)))
    assert posted[0].id not in assigned and posted[1].id in assigned


def test_notice_lookup_only_recomputes_tags_where_notices_wait(setup, make_conversation, monkeypatch):
    conversation, facilitator, author, others = setup
    quiet = make_conversation(title="A quiet conversation")
    for n in range(5):
        ideas.post_idea(others[n % 4], quiet.questions[0].id, f"Quiet idea number {n}")
    checked: list[str] = []
    real = notices.is_author

    def counting(participant, key, item):  # type: ignore[no-untyped-def]
        checked.append(item.id)
        return real(participant, key, item)

    monkeypatch.setattr(notices, "is_author", counting)
    assert notices.notices_for(author) == [] and checked == []  # no unseen notices anywhere: no tags computed
    idea, _ = ideas.post_idea(author, _question(conversation), "The canteen food is terrible")
    ideas.post_idea(others[0], _question(conversation), "Another idea with no notice")
    decisions.hide_item(conversation, facilitator.id, "idea", idea.id, "duplicate")
    assert [n.item.id for n in notices.notices_for(author)] == [idea.id]
    assert checked == [idea.id]  # only the noticed item, not the conversation's other posts or the quiet one
