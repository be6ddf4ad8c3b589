"""Participation records and figures: one row per person per conversation, suppression and rounding."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Participation, User
from app.services import comments, ideas, voting
from app.services.participation import Cell, participation_figures, round_to_5, suppress


def test_round_to_5():
    assert [round_to_5(n) for n in (0, 2, 3, 7, 8, 11, 12, 13, 22, 23)] == [0, 0, 5, 5, 10, 10, 10, 15, 20, 25]


def test_cells_under_k_are_hidden():
    cells = {c.label: c.value for c in suppress({"A": 40, "B": 25, "C": 30, "D": 4}, 11)}
    assert cells["D"] is None


def test_complementary_suppression_hides_a_second_cell_so_the_first_cannot_be_worked_out():
    cells = suppress({"Nursing": 40, "Medical": 25, "Estates": 12, "AHP": 3}, 11)
    hidden = [c.label for c in cells if c.hidden]
    # AHP (3) alone would be total - shown; Estates, the smallest shown, is hidden with it (3 + 12 >= 11).
    assert hidden == ["AHP", "Estates"]  # by name, after the shown cells: their order says nothing of size
    assert {c.label: c.value for c in cells}["Nursing"] == 40 and {c.label: c.value for c in cells}["Medical"] == 25


def test_several_small_cells_are_hidden_together_until_they_reach_k():
    cells = {c.label: c.value for c in suppress({"A": 50, "B": 20, "C": 4, "D": 3, "E": 2}, 11)}
    assert cells["C"] is None and cells["D"] is None and cells["E"] is None and cells["B"] is None
    assert cells["A"] == 50
    # Already enough people in the hidden cells: nothing more is hidden.
    cells = {c.label: c.value for c in suppress({"A": 50, "B": 20, "C": 9, "D": 8}, 11)}
    assert cells == {"A": 50, "B": 20, "C": None, "D": None}


def test_no_suppression_needed_and_rounding_applies():
    assert suppress({"A": 12, "B": 13}, 11) == [Cell("B", 15), Cell("A", 10)]
    assert suppress({}, 11) == []


def test_minimum_group_size_never_below_10(app):
    from app.services.participation import min_group_size

    app.config["CHORUS_MIN_GROUP_SIZE"] = 3
    assert min_group_size() == 10
    app.config["CHORUS_MIN_GROUP_SIZE"] = 15
    assert min_group_size() == 15


def test_one_participation_row_per_person_however_often_they_post(make_user, make_conversation, as_participant):
    conversation = make_conversation()
    person = as_participant(make_user())
    question = conversation.questions[0].id
    idea, _ = ideas.post_idea(person, question, "More rest areas on every ward please")
    ideas.post_idea(person, question, "Free parking for night shift staff")
    comments.add_comment(person, idea.id, "Yes please")
    voting.cast_vote(person, idea.id, "support")
    rows = db.session.scalars(sa.select(Participation)).all()
    assert len(rows) == 1
    row = rows[0]
    assert row.organisation_id == conversation.organisation_id
    # The roster's Nursing group has fewer than k people, so it is recorded as "Other".
    assert row.staff_group == "Other"
    # The pseudonym matches no vote pseudonym and no author tag.
    assert row.pseudonym not in {v for v in db.session.scalars(sa.text("SELECT voter FROM vote"))}
    assert row.pseudonym not in {t for t in db.session.scalars(sa.text("SELECT author_tag FROM idea"))}
    assert {c.name for c in Participation.__table__.columns} == {"conversation_id", "pseudonym", "organisation_id", "staff_group"}


def test_a_large_staff_group_is_recorded_by_name(make_user, make_conversation, as_participant, org):
    conversation = make_conversation()
    people = [make_user(staff_group="Medical") for _ in range(11)]
    voting_idea, _ = ideas.post_idea(as_participant(people[0]), conversation.questions[0].id, "Better rota planning")
    for person in people:
        voting.cast_vote(as_participant(person), voting_idea.id, "support")
    labels = set(db.session.scalars(sa.select(Participation.staff_group)))
    assert labels == {"Medical"}
    figures = participation_figures(conversation)
    assert figures.participants == 10 and figures.votes == 11 and figures.ideas == 1
    assert figures.by_staff_group == [Cell("Medical", 10)]
    assert figures.by_organisation == [Cell(org.name, 10)]


def test_small_conversations_show_fewer_than_k(make_user, make_conversation, as_participant):
    conversation = make_conversation()
    for n in range(3):
        ideas.post_idea(as_participant(make_user()), conversation.questions[0].id, f"Idea number {n} for the team")
    figures = participation_figures(conversation)
    assert figures.participants is None and figures.fewer_than == "fewer than 11"
    assert all(cell.hidden for cell in figures.by_organisation + figures.by_staff_group)


def test_repeated_recording_is_refused_by_the_database(app, make_user, make_conversation, as_participant):
    """The primary key, not a Python check, keeps one row: inserting the same pseudonym again fails."""
    conversation = make_conversation()
    person = as_participant(make_user())
    ideas.post_idea(person, conversation.questions[0].id, "First idea from this person")
    row = db.session.scalars(sa.select(Participation)).one()
    db.session.expunge(row)
    db.session.add(Participation(conversation_id=row.conversation_id, pseudonym=row.pseudonym, staff_group="x"))
    with pytest.raises(sa.exc.IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_concurrent_votes_by_one_person_make_one_row(app, make_user, make_conversation, as_participant):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite serialises writers; the concurrent case matters on PostgreSQL")
    conversation = make_conversation()
    person = as_participant(make_user())
    author = as_participant(make_user())
    idea_ids = [ideas.post_idea(author, conversation.questions[0].id, f"Idea {n} about staff rooms")[0].id for n in range(8)]
    errors: list[BaseException] = []

    def vote(idea_id: str) -> None:
        with app.app_context():
            try:
                voting.cast_vote(person, idea_id, "support")
            except BaseException as error:  # pragma: no cover - reported below
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=vote, args=(i,)) for i in idea_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Participation)) == 2


def test_no_user_reference_in_participation(make_user, make_conversation, as_participant):
    conversation = make_conversation()
    user = make_user()
    ideas.post_idea(as_participant(user), conversation.questions[0].id, "Something to say about parking")
    row = db.session.execute(sa.text("SELECT * FROM participation")).mappings().one()
    values = {str(v) for v in row.values()}
    assert user.email not in values and user.user_key not in values
    assert str(user.id) != row["pseudonym"]
    assert db.session.get(User, user.id) is not None
