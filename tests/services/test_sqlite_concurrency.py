"""The embedded default (SQLite in a file) under concurrent writers: WAL, busy timeout, no old copies in the WAL."""

from __future__ import annotations

import threading
from pathlib import Path

import sqlalchemy as sa

from app.extensions import db
from app.models import Idea, Vote
from app.services.accounts import organisations, users
from app.services.common.participants import Participant
from app.services.content import ideas, voting
from app.services.conversations import lifecycle
from app.sqlite import checkpoint_wal
from tests.conftest import BACKEND, running_app

WRITERS = 50
# Generous: the test waits on completion, never on speed; this only stops a deadlock hanging the suite.
JOIN_SECONDS = 600


def _setup() -> tuple[list[Participant], int, str]:
    owner = organisations.create_organisation("File Trust", "F001")
    people = [Participant.from_user(users.create_user(
        f"writer{n}@trust.nhs.uk", organisation=owner, role="participant", password="correct-horse-battery",
        display_name=f"Writer {n}")) for n in range(WRITERS)]
    conversation = lifecycle.create_conversation(owner.id, lifecycle.ConversationDetails(
        title="Busy", audience_ids=[owner.id], questions=["What would help?"]))
    lifecycle.open_conversation(conversation)
    question_id = conversation.questions[0].id
    first, _ = ideas.post_idea(people[0], question_id, "A quiet room for breaks on every ward")
    return people, question_id, first.id


def test_fifty_concurrent_writers_on_a_sqlite_file_all_succeed(tmp_path: Path) -> None:
    if BACKEND != "sqlite":
        return  # the embedded default only
    path = tmp_path / "chorus.sqlite"
    # The busy timeout is a wall-clock bound: minutes here, so a loaded machine cannot fail the test (the default
    # 15 s is measured by bench/sqlite_writers.py). WAL is what lets the writers through without errors.
    with running_app(f"sqlite:///{path}", CHORUS_SQLITE_BUSY_TIMEOUT_MS=600_000) as app:
        people, question_id, idea_id = _setup()
        assert db.session.execute(sa.text("PRAGMA journal_mode")).scalar() == "wal"
        assert db.session.execute(sa.text("PRAGMA secure_delete")).scalar() == 1
        db.session.remove()
        start = threading.Barrier(WRITERS)
        errors: list[BaseException] = []

        def write(person: Participant, n: int) -> None:
            with app.app_context():
                try:
                    start.wait()
                    ideas.post_idea(person, question_id, f"Idea number {n} from the night shift about parking")
                    voting.cast_vote(person, idea_id, "support")
                except BaseException as error:  # noqa: BLE001  (every failure counts, whatever it is)
                    errors.append(error)
                finally:
                    db.session.remove()

        threads = [threading.Thread(target=write, args=(p, n)) for n, p in enumerate(people)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(JOIN_SECONDS)
        assert not any(t.is_alive() for t in threads)
        assert errors == []
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Idea)) == WRITERS + 1
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Vote)) == WRITERS


def test_the_wal_is_truncated_so_it_keeps_no_withdrawn_text(tmp_path: Path) -> None:
    if BACKEND != "sqlite":
        return
    path = tmp_path / "chorus.sqlite"
    secret = "the-locker-code-is-4711-ZQX"
    with running_app(f"sqlite:///{path}"):
        people, question_id, _ = _setup()
        idea, _ = ideas.post_idea(people[1], question_id, "Please fix " + secret)
        wal = Path(f"{path}-wal")
        assert secret.encode() in path.read_bytes() + wal.read_bytes()
        ideas.withdraw_idea(people[1], idea.id)
        db.session.remove()
        # Another connection stays open, as in a running server, so SQLite would otherwise keep the WAL file.
        with db.engine.connect() as held:
            held.exec_driver_sql("SELECT 1").all()
            assert checkpoint_wal()
            assert wal.stat().st_size == 0
            assert secret.encode() not in path.read_bytes()
