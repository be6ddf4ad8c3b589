"""The Freedom to Speak Up route: appointing Guardians, sending when posting or afterwards, replies, and access."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.models import SpeakUpThread
from app.services.common.errors import InvalidInput, NotAllowedNow, NotFound
from app.services.common.keys import shred_key
from app.services.common.participants import Participant
from app.services.content import comments, ideas
from app.services.conversations import lifecycle
from app.services.speakup import guardian, settings, threads

TEXT = "My manager shouts at me in front of patients and I dread every shift."


@pytest.fixture
def setup(org, make_user, make_conversation, as_participant):
    """A conversation, an author, a Guardian of the organisation and an admin (who is not a Guardian)."""
    conversation = make_conversation()
    author = as_participant(make_user())
    keeper = make_user()
    admin = make_user("admin")
    settings.appoint_guardian(frozenset({org.id}), org.id, keeper.email)
    return conversation, author, as_participant(keeper), as_participant(admin)


def test_appointing_a_guardian_needs_membership_and_is_apart_from_rank(org, make_org, make_user, as_participant) -> None:
    admin = make_user("admin")
    assert not as_participant(admin).guardian_of  # an admin is not a Guardian
    outsider = make_user(organisation=make_org("Elsewhere"))
    with pytest.raises(InvalidInput, match="not a member"):
        settings.appoint_guardian(frozenset({org.id}), org.id, outsider.email)
    with pytest.raises(NotFound):
        settings.appoint_guardian(frozenset(), org.id, admin.email)
    assert not settings.has_guardian(org.id)
    settings.appoint_guardian(frozenset({org.id}), org.id, admin.email.upper())
    assert settings.has_guardian(org.id) and as_participant(admin).guardian_of == {org.id}
    settings.remove_guardian(frozenset({org.id}), org.id, admin.id)
    assert not settings.has_guardian(org.id)


def test_posting_with_the_choice_opens_a_thread_the_guardian_sees(setup) -> None:
    conversation, author, keeper, admin = setup
    idea, _ = ideas.post_idea(author, conversation.questions[0].id, TEXT, to_guardian=True, client_token="tok-12345678")
    again, created = ideas.post_idea(author, conversation.questions[0].id, TEXT, to_guardian=True,
                                     client_token="tok-12345678")
    assert again.id == idea.id and not created
    assert db.session.query(SpeakUpThread).count() == 1  # a double submit opens one thread
    items = guardian.queue(keeper.guardian_of)
    assert [i.post.body for i in items] == [TEXT] and items[0].thread.guardian_unread
    assert guardian.queue(admin.guardian_of) == []
    with pytest.raises(NotFound):
        guardian.read_thread(admin.guardian_of, items[0].thread.id)


def test_without_a_guardian_the_choice_is_refused_and_nothing_is_posted(org, make_user, make_conversation,
                                                                          as_participant) -> None:
    conversation = make_conversation()
    author = as_participant(make_user())
    with pytest.raises(NotAllowedNow, match="no Freedom to Speak Up Guardian"):
        ideas.post_idea(author, conversation.questions[0].id, TEXT, to_guardian=True)
    db.session.rollback()
    assert db.session.query(SpeakUpThread).count() == 0
    from app.models import Idea
    assert db.session.query(Idea).count() == 0


def test_sending_afterwards_and_the_whole_exchange(setup) -> None:
    conversation, author, keeper, _ = setup
    idea, _ = ideas.post_idea(author, conversation.questions[0].id, "Rest areas for night staff please")
    comment, _ = comments.add_comment(author, idea.id, TEXT)
    thread = threads.send_to_guardian(author, "comment", comment.id, "It has happened three times this month.")
    assert threads.send_to_guardian(author, "comment", comment.id).id == thread.id  # sending again changes nothing
    item = guardian.read_thread(keeper.guardian_of, thread.id)
    assert item.post.kind == "comment" and item.post.body == TEXT and item.post.on_idea == idea.body
    assert not item.thread.guardian_unread  # read
    guardian.reply(keeper.guardian_of, "Sam Guardian", thread.id, "Thank you for telling me. Can you say which ward?")
    mine = threads.my_threads(author, conversation)
    assert [t.thread.id for t in mine] == [thread.id] and mine[0].thread.replies == 1
    assert [m.body for m in mine[0].thread.messages][-1].startswith("Thank you")
    threads.author_message(author, conversation.id, thread.id, "Ward 3 at night. You can email me at a@b.nhs.uk")
    assert guardian.read_thread(keeper.guardian_of, thread.id).thread.messages[-1].from_guardian is False
    guardian.set_status(keeper.guardian_of, thread.id, "closed")
    assert guardian.queue(keeper.guardian_of) == [] and len(guardian.queue(keeper.guardian_of, "closed")) == 1
    threads.author_message(author, conversation.id, thread.id, "One more thing.")  # writing again reopens it
    assert guardian.queue(keeper.guardian_of)[0].thread.guardian_unread


def test_only_the_author_reaches_a_post_or_thread(setup, make_user, as_participant) -> None:
    conversation, author, _, _ = setup
    other = as_participant(make_user())
    idea, _ = ideas.post_idea(author, conversation.questions[0].id, TEXT)
    with pytest.raises(NotFound):
        threads.send_to_guardian(other, "idea", idea.id)
    thread = threads.send_to_guardian(author, "idea", idea.id)
    with pytest.raises(NotFound):
        threads.author_thread(other, conversation.id, thread.id)
    with pytest.raises(NotFound):
        threads.author_message(other, conversation.id, thread.id, "hello")
    with pytest.raises(NotFound):
        threads.author_thread(author, conversation.id + 1, thread.id)
    assert threads.my_threads(other, conversation) == []


def test_a_withdrawn_post_keeps_its_thread_without_its_words(setup) -> None:
    conversation, author, keeper, _ = setup
    idea, _ = ideas.post_idea(author, conversation.questions[0].id, TEXT, to_guardian=True)
    ideas.withdraw_idea(author, idea.id)
    item = guardian.queue(keeper.guardian_of)[0]
    assert item.post.body is None
    assert threads.my_threads(author, conversation)[0].withdrawn


def test_after_shredding_nobody_finds_the_thread_but_the_guardian_still_reads_it(setup) -> None:
    conversation, author, keeper, _ = setup
    ideas.post_idea(author, conversation.questions[0].id, TEXT, to_guardian=True)
    lifecycle.close_conversation(conversation)
    shred_key(conversation)
    db.session.commit()
    assert threads.my_threads(author, conversation) == []
    assert len(guardian.queue(keeper.guardian_of)) == 1


def test_messages_are_checked(setup) -> None:
    conversation, author, keeper, _ = setup
    idea, _ = ideas.post_idea(author, conversation.questions[0].id, TEXT, to_guardian=True)
    thread_id = guardian.queue(keeper.guardian_of)[0].thread.id
    with pytest.raises(InvalidInput, match="Enter your message"):
        threads.author_message(author, conversation.id, thread_id, "   ")
    with pytest.raises(InvalidInput, match="4,000"):
        guardian.reply(keeper.guardian_of, "G", thread_id, "x" * 4001)
    with pytest.raises(InvalidInput):
        guardian.set_status(keeper.guardian_of, thread_id, "deleted")


def test_the_sent_count_is_shown_only_at_k(app, setup, make_user, as_participant) -> None:
    app.config["CHORUS_MIN_GROUP_SIZE"] = 10
    conversation, _, _, _ = setup
    for n in range(9):
        ideas.post_idea(as_participant(make_user()), conversation.questions[0].id, f"{TEXT} ({n})", to_guardian=True)
    assert settings.sent_count(conversation.organisation_id) is None
    ideas.post_idea(as_participant(make_user()), conversation.questions[0].id, TEXT + " again", to_guardian=True)
    ideas.post_idea(as_participant(make_user()), conversation.questions[0].id, TEXT + " and again", to_guardian=True)
    assert settings.sent_count(conversation.organisation_id) == 10


def test_guests_and_participants_carry_no_guardian_role(setup) -> None:
    _, author, keeper, _ = setup
    assert author.guardian_of == frozenset() and keeper.guardian_of
    assert Participant("guest:x", frozenset()).guardian_of == frozenset()
