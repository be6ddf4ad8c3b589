"""The board report (issue #13) links nobody to anything: attack tests on what it holds and what making it writes.

A board report leaves the organisation's systems (emailed, printed, filed), so whoever reads it must learn no
more than a k-suppressed summary: no author tag, voter pseudonym, nonce or idea id (which would let someone with a
dump line quotes up with rows), no name or email of anyone who took part (even in a named-mode conversation), no
small group's name, and no time of day. Making it writes nothing (rules A1, A2).
"""

from __future__ import annotations

import io
import zipfile

import sqlalchemy as sa

from app.extensions import db
from app.models import Idea, User, Vote
from app.services.content import ideas, voting
from app.services.conversations.participation_batch import refresh_snapshot
from app.services.reports import model, word
from app.services.themes import runs
from tests.anonymity.dumps import dump

SMALL_GROUP = "Pharmacy Night Team"
TEXTS = [f"Free staff parking at night please, for shift pattern {n}" for n in range(8)] + \
        [f"Hot food in the canteen after midnight please, on rota {n}" for n in range(8)]


def _everything(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return "\n".join(package.read(n).decode("utf-8", "replace") for n in package.namelist())


def _conversation(make_org, make_user, make_conversation, as_participant, *, named: bool = False):
    home = make_org("Home Trust", groups=("Nursing", SMALL_GROUP))
    conversation = make_conversation(organisation=home)
    conversation.named_mode = named
    db.session.commit()
    people = [make_user(organisation=home) for _ in range(12)] + \
             [make_user(organisation=home, staff_group=SMALL_GROUP) for _ in range(2)]
    acting = [as_participant(p) for p in people]
    for n, text in enumerate(TEXTS):
        ideas.post_idea(acting[n % len(acting)], conversation.questions[0].id, text, allow_identifying=True)
    for person in acting:
        for idea in db.session.scalars(sa.select(Idea).limit(3)).all():
            voting.cast_vote(person, idea.id, "support")
    runs.request_theme_run(conversation.id)
    refresh_snapshot(conversation.id)
    db.session.commit()
    db.session.refresh(conversation)
    return conversation, people


def _secrets(people: list[User]) -> set[str]:
    found = set(db.session.scalars(sa.select(Idea.author_tag))) | set(db.session.scalars(sa.select(Idea.nonce)))
    found |= set(db.session.scalars(sa.select(Vote.voter))) | set(db.session.scalars(sa.select(Idea.id)))
    found |= {p.email for p in people} | {p.display_name for p in people if p.display_name} | {p.user_key for p in people}
    return {s for s in found if s}


def test_the_report_names_nobody_and_hides_small_groups(make_org, make_user, make_conversation, as_participant):
    conversation, people = _conversation(make_org, make_user, make_conversation, as_participant)
    report = model.board_report(frozenset({conversation.organisation_id}), conversation.id)
    assert report.participation.people is not None and report.participation.by_staff_group  # 14 people: shown
    everything = _everything(word.to_docx(report))
    assert [s for s in _secrets(people) if s in everything] == []
    assert SMALL_GROUP not in everything  # 2 people: folded into "Other", never named
    assert "Home Trust" in everything and "Other" in everything


def test_a_named_mode_conversation_still_names_nobody(make_org, make_user, make_conversation, as_participant):
    conversation, people = _conversation(make_org, make_user, make_conversation, as_participant, named=True)
    everything = _everything(word.to_docx(model.board_report(frozenset({conversation.organisation_id}), conversation.id)))
    assert [s for s in _secrets(people) if s in everything] == []


def test_making_the_report_writes_nothing(client, login, make_org, make_user, make_conversation, as_participant):
    conversation, _ = _conversation(make_org, make_user, make_conversation, as_participant)
    login(make_user("lead", organisation=conversation.organisation))
    before = dump()
    assert client.get(f"/manage/conversations/{conversation.id}/report.docx").status_code == 200
    assert client.get(f"/manage/conversations/{conversation.id}/report").status_code == 200
    after = dump()
    changed = [t for t in before if before[t] != after.get(t)]
    assert changed == []
