"""Status workflow, ratings and the priority score, pairwise answers, notices and exports."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from app.crypto import voter_pseudonym
from app.extensions import db
from app.models import Idea, PairwiseChoice, Theme, ThemeAssignment, ThemeSnapshot
from app.services.triage import exports
from app.services.content import ideas
from app.services.triage import outcomes
from app.services.triage import plans
from app.services.triage import pairwise
from app.services.triage import board as triage
from app.services.content import voting
from app.services.common.errors import InvalidInput, NotFound
from app.services.common.keys import conversation_key
from app.services.triage.score import priority_score, severity_terms_in
from tests.services.triage_fixtures import themed  # noqa: F401  (fixture)

# k-means in nlp/cluster.py warns when a conversation holds duplicate texts; the run is still correct.


def top_theme(conversation) -> Theme:
    db.session.refresh(conversation)
    snap = db.session.scalar(sa.select(ThemeSnapshot).where(ThemeSnapshot.run_id == conversation.current_theme_run_id)
                             .order_by(ThemeSnapshot.size.desc()).limit(1))
    return db.session.get(Theme, snap.theme_id)


def theme_ideas(conversation, theme) -> list[str]:
    return list(db.session.scalars(sa.select(ThemeAssignment.idea_id).where(
        ThemeAssignment.run_id == conversation.current_theme_run_id, ThemeAssignment.theme_id == theme.id)))


def test_status_workflow_steps_and_needs_a_public_reason(themed):
    conversation, _, orgs, _ = themed
    theme = top_theme(conversation)
    with pytest.raises(InvalidInput, match="can move to"):
        plans.set_status(theme, "done")  # new -> done skips the workflow
    with pytest.raises(InvalidInput, match="reason") as refused:
        plans.set_status(theme, "not_taking_forward", "  ")
    assert refused.value.field == "public_reason"
    assert triage.board(orgs, conversation.id).cards[0].plan.status == "new"  # nothing half-written
    for step in ("under_review", "prioritised", "in_progress", "done"):
        assert plans.set_status(theme, step).status == step
    plans.set_status(theme, "in_progress")
    plan = plans.set_status(theme, "not_taking_forward", "The car park belongs to the council, not the trust.")
    assert plan.public_reason.startswith("The car park")
    with pytest.raises(InvalidInput):
        plans.set_status(theme, "bogus")


def test_owner_actions_rating_and_rank(themed):
    conversation, _, orgs, _ = themed
    theme = top_theme(conversation)
    plans.set_owner(theme, "Director of Estates", date(2027, 3, 31))
    action = plans.add_action(theme, "Survey night staff about parking", "Estates team", date(2027, 1, 15))
    plans.set_action_done(theme, action.id, True)
    with pytest.raises(InvalidInput):
        plans.add_action(theme, "x")
    with pytest.raises(NotFound):
        plans.set_action_done(theme, action.id + 100, True)
    with pytest.raises(InvalidInput):
        plans.rate(theme, 6, 2)
    with pytest.raises(InvalidInput):
        plans.rate(theme, 4, None)
    plans.rate(theme, 5, 1)
    plans.set_rank(theme, 1)
    card = next(c for c in triage.board(orgs, conversation.id, "rank").cards if c.theme.id == theme.id)
    assert card.plan.owner == "Director of Estates" and card.actions[0].done
    impact_part = next(p for p in card.score.parts if p.name == "impact_effort")
    assert impact_part.value == 1.0 and impact_part.points == 25
    assert triage.board(orgs, conversation.id, "rank").cards[0].theme.id == theme.id


def test_priority_score_is_the_sum_of_its_shown_parts():
    score = priority_score(support=10, max_support=20, voters=5, max_voters=10, recent_ideas=2, ideas=4,
                           severe_ideas=1, severe_terms=["bullying"], impact=None, effort=None)
    assert [p.points for p in score.parts] == [12.5, 10.0, 7.5, 11.2, 12.5]
    assert score.total == round(sum(p.points for p in score.parts), 1)
    assert "bullying" in score.parts[3].explanation and "Not rated" in score.parts[4].explanation
    assert severity_terms_in("Bullying on nights makes the ward unsafe") == {"bullying", "unsafe"}


def test_breadth_counts_people_and_groups_only_at_k(app, themed, make_user, as_participant):
    conversation, _, orgs, _ = themed
    theme = top_theme(conversation)
    idea_id = theme_ideas(conversation, theme)[0]
    k = app.config["CHORUS_MIN_GROUP_SIZE"]
    voters = [as_participant(make_user(staff_group="Nursing")) for _ in range(k - 1)]
    for person in voters:
        voting.cast_vote(person, idea_id, "support")
    card = next(c for c in triage.board(orgs, conversation.id).cards if c.theme.id == theme.id)
    assert card.breadth.voters == k - 1 and not card.breadth.shown and card.breadth.organisations is None
    voting.cast_vote(as_participant(make_user(staff_group="Medical")), idea_id, "support")
    card = next(c for c in triage.board(orgs, conversation.id).cards if c.theme.id == theme.id)
    assert card.breadth.shown and card.breadth.voters == k
    assert card.breadth.organisations == 1  # all from one trust
    assert card.breadth.staff_groups == 0  # Nursing has k-1, Medical 1: neither reaches k


def test_pairwise_answers_carry_a_pseudonym_not_a_user(themed):
    conversation, people, orgs, _ = themed
    pair = pairwise.next_comparison(people[0], conversation.id)
    assert pair is not None and pair.left.id != pair.right.id
    pairwise.record_choice(people[0], conversation.id, pair.left.id, pair.right.id, "left")
    nxt = pairwise.next_comparison(people[0], conversation.id)
    assert {nxt.left.id, nxt.right.id} != {pair.left.id, pair.right.id}  # never the same pair twice
    with pytest.raises(InvalidInput):
        pairwise.record_choice(people[0], conversation.id, pair.left.id, pair.left.id, "left")
    with pytest.raises(InvalidInput):
        pairwise.record_choice(people[0], conversation.id, pair.left.id, pair.right.id, "both")
    row = db.session.scalar(sa.select(PairwiseChoice))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PairwiseChoice)) == 1
    assert row.chooser != voter_pseudonym(conversation_key(conversation), people[0].user_key)
    assert {c.name for c in PairwiseChoice.__table__.columns} == {
        "id", "conversation_id", "left_theme_id", "right_theme_id", "left_idea_id", "right_idea_id", "choice", "chooser"}
    ranked = pairwise.ranking(conversation)
    assert ranked[0].item.id == pair.left.id and ranked[0].lower <= ranked[0].score <= ranked[0].upper


def test_notices_reach_authors_and_voters_without_a_stored_link(themed, make_user, as_participant):
    conversation, people, orgs, _ = themed
    theme = top_theme(conversation)
    ids = theme_ideas(conversation, theme)
    author = next(p for p in people if any(
        ideas.own_idea(p, i) for i in ids if _owns(p, i)))
    voter_user = make_user()
    voter = as_participant(voter_user)
    voting.cast_vote(voter, ids[0], "support")
    bystander = as_participant(make_user())
    other_idea = db.session.scalar(sa.select(Idea.id).where(Idea.id.not_in(ids)))
    voting.cast_vote(bystander, other_idea, "support")
    outcomes.publish_outcome(theme, "Night staff cannot park.", "Reserve 40 spaces after 7pm.", "Estates", date(2027, 2, 1))
    assert [n.theme.id for n in outcomes.outcome_notices(author)] == [theme.id]
    [notice] = outcomes.outcome_notices(voter)
    assert notice.theme.id == theme.id
    assert outcomes.outcome_notices(bystander) == []
    seen = {notice.token}  # what the voter's browser keeps once they dismiss it
    assert outcomes.outcome_notices(voter, seen) == []
    assert [n.theme.id for n in outcomes.outcome_notices(author, seen)] == [theme.id]  # tokens are per person
    outcomes.add_progress_update(theme, "20 spaces are now reserved; the rest follow in January.")
    again = outcomes.outcome_notices(voter, seen)
    assert [n.theme.id for n in again] == [theme.id] and again[0].is_update
    # Nothing stored links a person to the theme: no table has both a user reference and a theme reference.
    for table in db.metadata.sorted_tables:
        targets = {fk.column.table.name for fk in table.foreign_keys}
        assert not ({"user"} & targets and {"theme", "idea"} & targets), table.name


def _owns(participant, idea_id: str) -> bool:
    from app.services.content.authorship import is_author

    idea = db.session.get(Idea, idea_id)
    return is_author(participant, conversation_key(idea.conversation), idea)


def test_outcomes_page_shows_outcomes_and_public_reasons(themed, make_user, as_participant):
    conversation, people, orgs, _ = themed
    first = top_theme(conversation)
    outcomes.publish_outcome(first, "Heard it.", "Doing it.", "Estates", None)
    second = next(c.theme for c in triage.board(orgs, conversation.id).cards if c.theme.id != first.id)
    plans.set_status(second, "not_taking_forward", "This is decided nationally, not by the trust.")
    page = outcomes.conversation_outcomes(people[0], conversation.id)
    items = {i.theme.id: i for i in page.conversations[0][1]}
    assert items[first.id].outcome.will_do == "Doing it."
    assert items[second.id].public_reason.startswith("This is decided nationally")
    org_page = outcomes.organisation_outcomes(people[0], conversation.organisation_id)
    assert org_page.conversations and org_page.conversations[0][0].id == conversation.id
    with pytest.raises(NotFound):
        outcomes.organisation_outcomes(people[0], conversation.organisation_id + 99)
    with pytest.raises(InvalidInput):
        outcomes.publish_outcome(first, "", "Doing it.", "Estates", None)


def test_exports_hold_no_author_details_or_times_and_neutralise_formulas(themed):
    conversation, people, orgs, _ = themed
    nasty = "=HYPERLINK(\"http://evil.example\",\"click\") free parking at night for staff"
    idea, _ = ideas.post_idea(people[0], conversation.questions[0].id, nasty, allow_identifying=True)
    from app.services.themes import runs

    runs.request_theme_run(conversation.id)
    theme = top_theme(conversation)
    plans.set_owner(theme, "@Estates lead", None)
    plans.add_action(theme, "-1 spaces for visitors", "+Facilities", None)
    data = exports.export_data(orgs, conversation.id)
    theme_csv = exports.to_csv(exports.THEME_COLUMNS, data.themes)
    idea_csv = exports.to_csv(exports.IDEA_COLUMNS, data.ideas)
    rows = list(csv.reader(io.StringIO(idea_csv)))
    assert rows[0] == exports.IDEA_COLUMNS
    cells = [c for r in rows[1:] for c in r] + [c for r in csv.reader(io.StringIO(theme_csv)) for c in r]
    assert not any(c.startswith(("=", "+", "-", "@", "\t", "\r")) for c in cells)
    assert "'=HYPERLINK" in idea_csv and "'@Estates lead" in theme_csv
    dump = theme_csv + idea_csv
    for item in db.session.scalars(sa.select(Idea)):
        assert item.author_tag not in dump and item.nonce not in dump
    assert not any(":" in r[4] for r in rows[1:])  # months only, never a time
    book = load_workbook(io.BytesIO(exports.to_xlsx(data)))
    assert book.sheetnames == ["Themes", "Ideas"]
    values = [cell for sheet in book for row in sheet.iter_rows() for cell in row]
    # Text cells are typed as text, so a spreadsheet never runs them and they need no apostrophe guard:
    # the reader sees exactly what was written (a literal leading apostrophe was shown before).
    texts = {c.value for c in values if isinstance(c.value, str)}
    assert nasty in texts and "@Estates lead" in texts and not any(t.startswith("'") for t in texts)
    assert all(c.data_type != "f" for c in values)
    with zipfile.ZipFile(io.BytesIO(exports.to_xlsx(data))) as archive:
        sheets = [archive.read(n).decode() for n in archive.namelist() if n.startswith("xl/worksheets/")]
    assert sheets and not any("<f>" in xml or "<f " in xml for xml in sheets)  # no formula element at all
    with pytest.raises(NotFound):
        exports.export_data(frozenset(), conversation.id)


def test_trend_against_the_previous_run_and_the_previous_month(themed, make_conversation):
    conversation, people, orgs, _ = themed
    first_board = triage.board(orgs, conversation.id)
    assert {c.trend for c in first_board.cards} == {"new"}  # nothing to compare with yet
    for n in range(6):
        ideas.post_idea(people[n % 3], conversation.questions[0].id,
                        f"Staff parking at night is impossible, {['really', 'truly', 'so', 'just', 'always', 'sadly'][n]} hard",
                        allow_identifying=True)
    from app.services.themes import runs

    runs.request_theme_run(conversation.id)
    again = triage.board(orgs, conversation.id)
    assert any(c.trend in ("rising", "steady", "falling") for c in again.cards)
    # Next month's Change Hub session follows on from this one.
    month = make_conversation(title="Change Hub: next month")
    month.previous_conversation_id = conversation.id
    db.session.commit()
    texts = [db.session.get(Idea, i).body for i in db.session.scalars(sa.select(Idea.id).where(Idea.conversation_id == conversation.id))]
    for n, text in enumerate(texts):
        ideas.post_idea(people[n % 3], month.questions[0].id, text, allow_identifying=True)
    runs.request_theme_run(month.id)
    board = triage.board(orgs, month.id)
    assert [m.conversation.id for m in board.months] == [conversation.id] and board.months[0].cards
    assert any(c.trend != "new" for c in board.cards)  # the same themes recognised across months
