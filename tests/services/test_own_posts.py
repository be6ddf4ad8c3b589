"""Authors editing and withdrawing their own posts: the paths ideas and comments share (app/services/content/own_posts.py)."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Comment, ContentStatus, LiveEvent, Vote
from app.services.content import comments
from app.services.content import ideas
from app.services.workshops import session
from app.services.moderation import decisions
from app.services.content import voting
from app.services.common.errors import IdentifyingDetails, NotAllowedNow, NotFound


@pytest.fixture
def posted(make_user, make_conversation, as_participant):  # type: ignore[no-untyped-def]
    conversation = make_conversation()
    author, commenter = as_participant(make_user()), as_participant(make_user())
    idea, _ = ideas.post_idea(author, conversation.questions[0].id, "Hot food for night shifts")
    new, _ = comments.add_comment(commenter, idea.id, "Yes please, near the ward")
    return conversation, author, commenter, idea, db.session.get(Comment, new.id)


def _events(conversation_id: int) -> list[tuple[str, dict]]:
    rows = db.session.scalars(sa.select(LiveEvent).where(LiveEvent.conversation_id == conversation_id).order_by(LiveEvent.id))
    return [(row.type, json.loads(row.payload)) for row in rows]


def test_an_unchanged_edit_marks_nothing_and_records_no_event(posted) -> None:  # type: ignore[no-untyped-def]
    conversation, author, commenter, idea, comment = posted
    before = _events(conversation.id)
    assert not ideas.edit_idea(author, idea.id, "  Hot food for night shifts ").edited
    assert not comments.edit_comment(commenter, comment.id, "Yes please, near the ward").edited
    assert _events(conversation.id) == before
    assert idea.status == comment.status == ContentStatus.PUBLISHED


def test_a_comment_edit_is_published_live_without_its_author(posted) -> None:  # type: ignore[no-untyped-def]
    conversation, _, commenter, idea, comment = posted
    edited = comments.edit_comment(commenter, comment.id, "Yes please, and hot drinks")
    assert edited.edited and edited.status == ContentStatus.PUBLISHED
    assert _events(conversation.id)[-1] == ("comment_edited", {"idea_id": idea.id, "comment_id": comment.id,
                                                               "body": "Yes please, and hot drinks"})


def test_rewriting_a_moderated_comment_holds_it_again_and_takes_it_off_the_boards(posted, make_user) -> None:  # type: ignore[no-untyped-def]
    conversation, _, commenter, idea, comment = posted
    decisions.redact_item(conversation, make_user("facilitator").id, "comment", comment.id, "Yes please")
    assert comment.moderator_edited and comment.notice_unseen
    comments.edit_comment(commenter, comment.id, "Yes please, somewhere nearby")
    db.session.expire_all()
    rewritten = db.session.get(Comment, comment.id)
    assert (rewritten.status, rewritten.queued) == (ContentStatus.PENDING, True)
    assert not rewritten.moderator_edited and not rewritten.notice_unseen
    assert _events(conversation.id)[-1] == ("comment_withdrawn", {"idea_id": idea.id, "comment_id": comment.id})


def test_a_comment_with_identifying_details_needs_confirming_and_is_then_held(posted) -> None:  # type: ignore[no-untyped-def]
    _, _, commenter, _, comment = posted
    with pytest.raises(IdentifyingDetails):
        comments.edit_comment(commenter, comment.id, "Ask Sister Jones on Ward 9")
    db.session.expire_all()
    assert db.session.get(Comment, comment.id).body == "Yes please, near the ward"
    held = comments.edit_comment(commenter, comment.id, "Ask Sister Jones on Ward 9", allow_identifying=True)
    assert held.flagged_identifying and held.status == ContentStatus.PENDING and held.queued


def test_comments_follow_the_phase_rules_and_a_withdrawn_one_is_gone(posted) -> None:  # type: ignore[no-untyped-def]
    conversation, author, commenter, idea, comment = posted
    session.set_phase(conversation, "vote")
    with pytest.raises(NotAllowedNow, match="cannot be changed while people are voting"):
        comments.edit_comment(commenter, comment.id, "Changed while people vote")
    with pytest.raises(NotFound):
        comments.withdraw_comment(author, comment.id)  # only its author may
    comments.withdraw_comment(commenter, comment.id)
    db.session.expire_all()
    gone = db.session.get(Comment, comment.id)
    assert (gone.status, gone.body, gone.queued) == (ContentStatus.WITHDRAWN, "", False)
    assert _events(conversation.id)[-1] == ("comment_withdrawn", {"idea_id": idea.id, "comment_id": comment.id})
    for again in (lambda: comments.withdraw_comment(commenter, comment.id), lambda: comments.own_comment(commenter, comment.id)):
        with pytest.raises(NotFound):
            again()


def test_withdrawing_an_idea_deletes_its_votes(posted, make_user, as_participant) -> None:  # type: ignore[no-untyped-def]
    conversation, author, _, idea, _ = posted
    for _ in range(3):
        voting.cast_vote(as_participant(make_user()), idea.id, "support")
    ideas.withdraw_idea(author, idea.id)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Vote).where(Vote.idea_id == idea.id)) == 0
    assert _events(conversation.id)[-1] == ("idea_withdrawn", {"idea_id": idea.id})


def test_a_comment_works_out_no_sentiment_and_no_speak_up_suggestion(posted, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A comment stores neither: only its identifying details are looked for. An idea still gets its sentiment, and
    the draft check (the API's check-text) still answers all three."""
    import nlp.disclosure
    import nlp.sentiment

    read: list[str] = []
    real_sentiment, real_disclosure = nlp.sentiment.sentiment, nlp.disclosure.find_disclosure
    monkeypatch.setattr(nlp.sentiment, "sentiment", lambda text: read.append("sentiment") or real_sentiment(text))
    monkeypatch.setattr(nlp.disclosure, "find_disclosure",
                        lambda text: read.append("speak up") or real_disclosure(text))
    _, author, _, idea, _ = posted
    comments.add_comment(author, idea.id, "A happy and very welcome change, thank you")
    assert read == []
    posted_idea, _ = ideas.post_idea(author, idea.question_id, "Lovely warm food at night for every shift")
    assert read == ["sentiment"] and posted_idea.sentiment is not None and posted_idea.sentiment > 0
    from app.services.themes.reading import check_text

    check = check_text("I was bullied on the ward and I feel unsafe")
    assert check.sentiment < 0 and check.speak_up
