"""Build one large, themed conversation in a SQLite file fast (bulk inserts), for the export and "my posts" benches."""

from __future__ import annotations

import random
import secrets
import sys
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app import create_app  # noqa: E402
from app.crypto import author_slots, author_tag, voter_pseudonym  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import Conversation, Idea, Theme, ThemeAssignment, ThemeRun, Vote  # noqa: E402
from app.services.accounts import organisations, users  # noqa: E402
from app.services.common.keys import conversation_key  # noqa: E402
from app.services.common.participants import Participant  # noqa: E402
from app.services.conversations import lifecycle  # noqa: E402

WORDS = ("parking night shift rota break room canteen staffing training wellbeing manager ward handover "
         "equipment heating lockers flexible working bank staff recognition career induction uniform").split()
THEMES = 20
AUTHOR_POSTS = 25  # ideas written by the person whose "my posts" page is measured


def app_for(path: Path):  # type: ignore[no-untyped-def]
    """A test-config app on the given SQLite file (no scheduler, inline jobs), its key epochs in a folder beside it."""
    return create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
                       "CHORUS_KEY_DIR": str(path.parent / f"{path.stem}-keys")})


def build(path: Path, ideas: int, votes_per_idea: int = 2, seed: int = 7) -> Participant:
    """Fill an empty database with one open conversation of `ideas` ideas, themed; returns its busiest author."""
    rng = random.Random(seed)
    app = app_for(path)
    with app.app_context():
        db.create_all()
        org = organisations.create_organisation("Bench Trust", "B001")
        person = users.create_user("author@bench.nhs.uk", organisation=org, role="participant",
                                   password="correct-horse-battery", display_name="Author")
        conversation = lifecycle.create_conversation(org.id, lifecycle.ConversationDetails(
            title="Bench", audience_ids=[org.id], questions=["What would make work better?"]))
        lifecycle.open_conversation(conversation)
        me = Participant.from_user(person)
        key = conversation_key(conversation)
        question_id = conversation.questions[0].id
        own = sorted(rng.sample(range(ideas), min(AUTHOR_POSTS, ideas)))
        slot_of = {n: slot for slot, n in enumerate(own)}
        my_slot = author_slots(key, me.user_key, "idea")
        rows = []
        for n in range(ideas):
            nonce = secrets.token_hex(16)
            tag = author_tag(key, me.user_key, nonce) if n in slot_of else secrets.token_hex(32)
            slot = my_slot(slot_of[n]) if n in slot_of else secrets.token_hex(32)  # as post_idea stores them
            body = " ".join(rng.choices(WORDS, k=rng.randint(6, 30))) + f" ({n})"
            rows.append({"id": secrets.token_urlsafe(12), "conversation_id": conversation.id,
                         "question_id": question_id, "body": body, "nonce": nonce, "author_tag": tag,
                         "slot_tag": slot})
        db.session.execute(sa.insert(Idea), rows)
        run = ThemeRun(conversation_id=conversation.id, status="done", idea_count=ideas)
        db.session.add(run)
        themes = [Theme(conversation_id=conversation.id, label=f"{rng.choice(WORDS)} {n}") for n in range(THEMES)]
        db.session.add_all(themes)
        db.session.flush()
        db.session.execute(sa.insert(ThemeAssignment), [
            {"run_id": run.id, "idea_id": r["id"], "theme_id": rng.choice(themes).id if rng.random() > 0.05 else None}
            for r in rows])
        voters = [voter_pseudonym(key, f"voter-{v}") for v in range(max(1, votes_per_idea * 3))]
        db.session.execute(sa.insert(Vote), [
            {"idea_id": r["id"], "voter": voter, "conversation_id": conversation.id, "value": 1}
            for r in rows for voter in rng.sample(voters, votes_per_idea)])
        db.session.get(Conversation, conversation.id).current_theme_run_id = run.id
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return me


def conversation_and_labels() -> tuple[Conversation, dict[int, str]]:
    """The bench conversation (inside an app context) and its themes' labels."""
    conversation = db.session.scalars(sa.select(Conversation)).one()
    labels = dict(db.session.execute(sa.select(Theme.id, Theme.label)).all())
    return conversation, labels
