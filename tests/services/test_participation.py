"""Participation figures: the hourly batch, folding groups under k into Other, rounding, and what is stored."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from app.extensions import db
from app.models import ParticipationSnapshot
from app.models.base import this_hour
from app.services.content import comments
from app.services.conversations import lifecycle
from app.services.content import ideas
from app.services.common import keys
from app.services.content import voting
from app.services.conversations.participation import Cell, OTHER, conversation_counts, fold_small_groups, participation_figures, round_to_5
from app.services.conversations.participation_batch import due_conversations, refresh_due, refresh_snapshot, snapshot_job


def test_round_to_5():
    assert [round_to_5(n) for n in (0, 2, 3, 7, 8, 11, 12, 13, 22, 23)] == [0, 0, 5, 5, 10, 10, 10, 15, 20, 25]


def test_groups_under_k_are_folded_into_other_and_never_named():
    cells = fold_small_groups({"Nursing": 40, "Medical": 25, "Estates": 6, "AHP": 5}, 11)
    assert cells == [Cell("Nursing", 40), Cell("Medical", 25), Cell(OTHER, 10)]


def test_a_small_other_takes_in_the_next_smallest_group_so_it_cannot_be_worked_out():
    # AHP (3) alone in Other would be total minus the named cells; Estates (12) joins it: 15 people.
    cells = fold_small_groups({"Nursing": 40, "Medical": 25, "Estates": 12, "AHP": 3}, 11)
    assert cells == [Cell("Nursing", 40), Cell("Medical", 25), Cell(OTHER, 15)]
    assert "AHP" not in {c.label for c in cells} and "Estates" not in {c.label for c in cells}


def test_everyone_under_k_is_one_hidden_other_and_nothing_is_named():
    assert fold_small_groups({"Riverside": 3, "Northgate": 4}, 11) == [Cell(OTHER, None)]
    assert fold_small_groups({}, 11) == []
    assert fold_small_groups({"A": 12, "B": 13}, 11) == [Cell("B", 15), Cell("A", 10)]


def test_a_group_called_other_is_merged_not_listed_twice():
    assert fold_small_groups({"Other": 12, "Tiny": 2, "Big": 30}, 11) == [Cell("Big", 30), Cell(OTHER, 15)]


def test_minimum_group_size_never_below_10(app):
    from app.services.conversations.participation import min_group_size

    app.config["CHORUS_MIN_GROUP_SIZE"] = 3
    assert min_group_size() == 10
    app.config["CHORUS_MIN_GROUP_SIZE"] = 15
    assert min_group_size() == 15


def test_posting_and_voting_write_no_participation_row(make_user, make_conversation, as_participant):
    conversation = make_conversation()
    person = as_participant(make_user())
    idea, _ = ideas.post_idea(person, conversation.questions[0].id, "More rest areas on every ward please")
    comments.add_comment(person, idea.id, "Yes please")
    voting.cast_vote(person, idea.id, "support")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ParticipationSnapshot)) == 0
    figures = participation_figures(conversation)
    assert figures.updated_at is None and figures.ideas is None and figures.by_organisation == []


def test_the_batch_counts_voters_and_authors_once_each(make_user, make_conversation, as_participant, org):
    conversation = make_conversation()
    medical = [as_participant(make_user(staff_group="Medical")) for _ in range(11)]
    writers = [as_participant(make_user(staff_group="Nursing")) for _ in range(4)]
    idea, _ = ideas.post_idea(medical[0], conversation.questions[0].id, "Better rota planning")
    for person in medical:
        voting.cast_vote(person, idea.id, "support")
    for n, person in enumerate(writers):  # they write, twice each, and never vote
        ideas.post_idea(person, conversation.questions[1].id, f"Rest areas for every team, number {n}")
        comments.add_comment(person, idea.id, f"And lockers, number {n}")
    make_user(staff_group="Nursing")  # in the audience, never took part
    snapshot = refresh_snapshot(conversation.id)
    assert snapshot is not None and snapshot.computed_hour == this_hour()
    figures = participation_figures(conversation)
    assert (figures.ideas, figures.comments, figures.votes) == (5, 4, 11)
    assert figures.participants == 15  # 11 + 4 people, however many posts each
    assert figures.by_organisation == [Cell(org.name, 15)]
    # Nursing (4) is under k: Other would be worked out as 15 - 10, so Medical joins it.
    assert figures.by_staff_group == [Cell(OTHER, 15)]


def test_small_conversations_show_fewer_than_k(make_user, make_conversation, as_participant):
    conversation = make_conversation()
    for n in range(3):
        ideas.post_idea(as_participant(make_user()), conversation.questions[0].id, f"Idea number {n} for the team")
    refresh_snapshot(conversation.id)
    figures = participation_figures(conversation)
    assert figures.participants is None and figures.fewer_than == "fewer than 11"
    assert figures.by_organisation == figures.by_staff_group == [Cell(OTHER, None)]


def test_the_batch_runs_once_an_hour_for_open_and_just_closed_conversations(make_conversation):
    open_one = make_conversation()
    draft = make_conversation(status="draft", title="Draft")
    closed = make_conversation(status="closed", title="Closed")
    assert set(due_conversations()) == {open_one.id, closed.id} and draft.id not in due_conversations()
    assert set(refresh_due()) == {open_one.id, closed.id}  # CHORUS_JOBS=inline in tests: run at once
    assert due_conversations() == []  # counted this hour
    assert set(due_conversations(this_hour() + timedelta(hours=1))) == {open_one.id, closed.id}
    assert due_conversations(this_hour() + timedelta(days=2)) == [open_one.id]


def test_a_queued_batch_does_not_recount_within_the_hour(make_user, make_conversation, as_participant):
    conversation = make_conversation()
    snapshot_job(conversation.id)
    ideas.post_idea(as_participant(make_user()), conversation.questions[0].id, "Free parking for night staff")
    snapshot_job(conversation.id)  # a second tick in the same hour: the figures stay as they were
    assert participation_figures(conversation).ideas == 0
    assert conversation_counts([conversation.id]) == {conversation.id: (1, 0, 0)}  # the list's live totals


def test_after_shredding_the_last_snapshot_stays(app, make_user, make_conversation, as_participant):
    conversation = make_conversation()
    ideas.post_idea(as_participant(make_user()), conversation.questions[0].id, "Quiet rooms on each floor")
    refresh_snapshot(conversation.id)
    lifecycle.close_conversation(conversation)
    keys.shred_key(conversation)
    assert refresh_snapshot(conversation.id) is None
    assert participation_figures(conversation).ideas == 1


def test_voters_nobody_in_the_audience_matches_are_not_recorded_and_folded(app, make_user, make_conversation,
                                                                            as_participant, org):
    """Guests (no account) who vote are counted, under no organisation; being few, they fold into Other."""
    from app.services.common.participants import Participant

    conversation = make_conversation()
    staff = [as_participant(make_user(staff_group="Medical")) for _ in range(11)]
    idea, _ = ideas.post_idea(staff[0], conversation.questions[0].id, "Water fountains on every floor")
    for person in staff:
        voting.cast_vote(person, idea.id, "support")
    guests = [Participant(user_key=f"guest:{n:032x}", organisation_ids=frozenset({org.id})) for n in range(2)]
    for guest in guests:
        voting.cast_vote(guest, idea.id, "support")
    refresh_snapshot(conversation.id)
    figures = participation_figures(conversation)
    assert figures.participants == 15  # 13 people
    # 11 staff + 2 "Not recorded": Other (2) would be worked out from the total, so the trust joins it.
    assert figures.by_organisation == figures.by_staff_group == [Cell(OTHER, 15)]
    assert "Not recorded" not in {c.label for c in figures.by_organisation + figures.by_staff_group}


def test_the_fast_author_match_agrees_with_app_crypto(app, make_user, make_conversation, as_participant, monkeypatch):
    """If app.crypto ever encodes tags differently, the batch notices and falls back to author_tag itself."""
    from app.services.conversations import participation_batch

    conversation = make_conversation()
    writers = [as_participant(make_user()) for _ in range(3)]
    for n, person in enumerate(writers):
        ideas.post_idea(person, conversation.questions[0].id, f"Bike racks by the main entrance, {n}")
    _as_before_author_slots(conversation.id)  # the author-tag matcher serves only such items now
    assert participation_batch.count_people(conversation, keys.conversation_key(conversation))[0].total() == 3
    monkeypatch.setattr(participation_batch, "_part", lambda value: b"changed" + value.encode())
    # The self-check sees the fast path disagree, so the batch counts with author_tag: still all three writers.
    assert participation_batch.count_people(conversation, keys.conversation_key(conversation))[0].total() == 3


def test_cli_refresh_runs_the_batch_once_an_hour(app, runner, make_user, make_conversation, as_participant):
    conversation = make_conversation()
    ideas.post_idea(as_participant(make_user()), conversation.questions[0].id, "Showers for staff who run in")
    result = runner.invoke(args=["participation", "refresh", "--conversation", str(conversation.id)])
    assert result.exit_code == 0 and "for 1 conversation" in result.output
    assert participation_figures(conversation).ideas == 1
    again = runner.invoke(args=["participation", "refresh"])
    assert again.exit_code == 0 and "for 0 conversation" in again.output


def test_two_writers_whose_items_share_a_nonce_are_both_counted(make_user, make_conversation, as_participant):
    """A nonce comes from the client's idempotency token, so two people (or an idea and a comment) can share one."""
    from app.services.conversations import participation_batch

    conversation = make_conversation()
    first, second = as_participant(make_user()), as_participant(make_user())
    idea, _ = ideas.post_idea(first, conversation.questions[0].id, "A drying room for wet coats", client_token="same-token")
    other, _ = ideas.post_idea(second, conversation.questions[0].id, "Covered bike racks please", client_token="same-token")
    assert idea.nonce == other.nonce and idea.id != other.id
    _as_before_author_slots(conversation.id)
    by_org, _ = participation_batch.count_people(conversation, keys.conversation_key(conversation))
    assert by_org.total() == 2


def _as_before_author_slots(conversation_id: int) -> None:
    """Empty the slot tags of a conversation's items, as the author-slots migration leaves older items."""
    from app.models import Comment, Idea

    for model in (Idea, Comment):
        db.session.execute(sa.update(model).where(model.conversation_id == conversation_id).values(slot_tag=None))
    db.session.commit()


def test_the_batch_finds_authors_by_their_first_slot_without_testing_any_item(make_user, make_conversation,
                                                                             as_participant, monkeypatch):
    """Items with author slots are matched by one slot tag per person and kind, not by testing every item."""
    from app.services.conversations import participation_batch

    conversation = make_conversation()
    poster, commenter, both, idle = (as_participant(make_user()) for _ in range(4))
    idea, _ = ideas.post_idea(poster, conversation.questions[0].id, "Water fountains on every floor")
    ideas.post_idea(poster, conversation.questions[0].id, "And cups by the fountains")
    comments.add_comment(commenter, idea.id, "Yes, and keep them clean")
    ideas.post_idea(both, conversation.questions[0].id, "Showers for staff who cycle in")
    comments.add_comment(both, idea.id, "Agreed")
    tested: list[dict] = []
    real = participation_batch._author_matcher
    monkeypatch.setattr(participation_batch, "_author_matcher",
                        lambda key, items: (tested.append(dict(items)), real(key, items))[1])
    by_org, _ = participation_batch.count_people(conversation, keys.conversation_key(conversation))
    assert by_org.total() == 3  # the idle member is not counted
    assert tested == [{}]
