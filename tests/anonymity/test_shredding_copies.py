"""A6: after shredding, no copy of the database (files, WAL, an earlier dump) plus the key material can open the key.

The attacker holds the current master key, whatever is left in the key directory, the database's files after
shredding and a copy or dump taken before it. They pull out every value that could be a wrapped conversation key and
try to open each one for the shredded conversation. Nothing may open; the still-open conversation must keep working
(and the same attack must open ITS key, which shows the search would have found the shredded one).
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
from flask import Flask

from app.crypto import Keyring, KeyError_
from app.extensions import db
from app.models import Conversation
from app.models.base import utcnow
from app.services.accounts import users
from app.services.conversations import lifecycle
from app.services.content import ideas
from app.services.accounts import organisations
from app.services.content import voting
from app.services.common.keys import conversation_key, shred_key
from app.services.content.listing import my_posts
from app.services.common.participants import Participant
from config import TestConfig
from tests.anonymity.dumps import every_window, hex_values, raw_files, varlena_windows, wal_since
from tests.anonymity.private_pg import private_postgres
from tests.conftest import BACKEND, PASSWORD, running_app

MASTER = TestConfig.CHORUS_PSEUDONYM_KEY.encode()


def _openers(key_dir: Path) -> list[Callable[[bytes, bytes], bytes]]:
    """Every way to open a wrapped key with the master key and what the key directory still holds."""
    try:
        from app.key_store import FileEpochStore
    except ImportError:  # before key epochs the master key alone wrapped conversation keys
        return [Keyring(MASTER).unwrap]
    ring = Keyring(MASTER, FileEpochStore(key_dir))
    ring.reload()
    epochs = [None, *FileEpochStore(key_dir).load()]
    return [lambda wrapped, context, epoch=epoch: ring.unwrap(wrapped, context, epoch) for epoch in epochs]


def _opens(candidates: set[bytes], context: bytes, openers: list[Callable[[bytes, bytes], bytes]]) -> set[bytes]:
    """The conversation keys that any candidate opens to."""
    found = set()
    for candidate in candidates:
        for open_ in openers:
            try:
                found.add(open_(candidate, context))
            except KeyError_:
                pass
    return found


def _build(app: Flask) -> tuple[Conversation, Conversation, Participant, list[Participant]]:
    """Two open conversations with ideas and votes from several people; the first is to be shredded."""
    org = organisations.create_organisation("Shred Test Trust", "SHR")
    people = [Participant.from_user(users.create_user(
        f"person{n}@trust.nhs.uk", organisation=org, role="participant", staff_group=None, password=PASSWORD,
        display_name=f"Person {n}")) for n in range(4)]
    made = []
    for title in ("Closing soon", "Still open"):
        conversation = lifecycle.create_conversation(org.id, lifecycle.ConversationDetails(
            title=title, voting_mode="support", comments_enabled=True, audience_ids=[org.id],
            questions=["What would make work better?"], closes_at=utcnow() + timedelta(days=14)))
        lifecycle.open_conversation(conversation)
        for n, person in enumerate(people):
            idea, _ = ideas.post_idea(person, conversation.questions[0].id, f"{title}: idea number {n} from the ward")
            for voter in people:
                if voter is not person:
                    voting.cast_vote(voter, idea.id, "support")
        made.append(conversation)
    return made[0], made[1], people[0], people


def _wrapped(conversation_id: int) -> bytes | None:
    return db.session.scalar(sa.text("SELECT wrapped FROM conversation_key WHERE conversation_id = :c"),
                             {"c": conversation_id})


@contextmanager
def _attack_setup(url: str, key_dir: Path) -> Iterator[Flask]:
    with running_app(url, CHORUS_KEY_DIR=str(key_dir)) as app:
        db.create_all()
        yield app


def _shred(shredded: Conversation) -> None:
    lifecycle.close_conversation(shredded)
    shredded.closed_at = utcnow() - timedelta(days=30)
    db.session.commit()
    shred_key(shredded)
    db.session.commit()


def _check_open_conversation(still_open: Conversation, key_before: bytes, author: Participant) -> None:
    db.session.expire_all()
    assert conversation_key(still_open) == key_before
    assert len(my_posts(author, still_open.id).ideas) == 1


def test_shredded_key_cannot_be_recovered_from_sqlite_file_or_earlier_copy(tmp_path):
    database, key_dir = tmp_path / "chorus.sqlite", tmp_path / "keys"
    with _attack_setup(f"sqlite:///{database}", key_dir) as app:
        shredded, still_open, author, _ = _build(app)
        shredded_id, open_id = shredded.id, still_open.id
        old_wrapped, open_key = _wrapped(shredded_id), conversation_key(still_open)
        db.session.commit()
        shutil.copyfile(database, tmp_path / "before-shredding.sqlite")

        _shred(shredded)
        db.session.remove()
        new_wrapped = _wrapped(open_id)
        _check_open_conversation(db.session.get(Conversation, open_id), open_key, author)
        db.engine.dispose()

    length = len(old_wrapped)
    copies = [p for p in tmp_path.iterdir() if p.is_file()]
    candidates = set().union(*(every_window(p.read_bytes(), length) for p in copies))
    assert old_wrapped in candidates  # the earlier copy really holds the old wrapped key
    openers = _openers(key_dir)
    assert _opens(candidates, f"conversation:{shredded_id}".encode(), openers) == set()
    # The same search finds the open conversation's key: it would have found the shredded one.
    assert new_wrapped in candidates
    assert _opens(candidates, f"conversation:{open_id}".encode(), openers) == {open_key}


def test_shredded_key_cannot_be_recovered_from_postgres_files_wal_or_earlier_dump(tmp_path):
    if BACKEND != "postgresql":
        return  # data files and WAL are PostgreSQL's: this attack runs in the PostgreSQL pass
    key_dir = tmp_path / "keys"
    with private_postgres() as (url, data_dir, port):
        with _attack_setup(url, key_dir) as app:
            start_lsn = db.session.scalar(sa.text("SELECT pg_current_wal_lsn()::text"))
            shredded, still_open, author, _ = _build(app)
            shredded_id, open_id = shredded.id, still_open.id
            old_wrapped, open_key = _wrapped(shredded_id), conversation_key(still_open)
            db.session.commit()
            dump = tmp_path / "before-shredding.sql"
            subprocess.run(["pg_dump", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-f", str(dump), "chorus"],
                           check=True, capture_output=True, timeout=600)  # bounded, not timed: a busy machine is slow

            _shred(shredded)
            new_wrapped = _wrapped(open_id)
            _check_open_conversation(db.session.get(Conversation, open_id), open_key, author)
            db.session.remove()
            with db.engine.execution_options(isolation_level="AUTOCOMMIT").connect() as connection:
                connection.execute(sa.text("CHECKPOINT"))  # the heap files now hold every row version
            # Read the files while the server runs, as a disk snapshot would: every value behind a length header
            # anywhere, and every offset of the WAL this test wrote (an UPDATE logs only the changed bytes, bare).
            length = len(old_wrapped)
            files = raw_files(data_dir)
            in_heap = any(old_wrapped in p.read_bytes() for p in files if "pg_wal" not in p.parts)
            candidates = set().union(*(varlena_windows(p.read_bytes(), length) for p in files))
            candidates |= every_window(wal_since(data_dir, start_lsn), length)
    from_dump = hex_values(dump.read_text(), length)
    # The old wrapped key really is in the earlier dump, in the WAL and (as a dead row) in the heap files.
    assert old_wrapped in from_dump and old_wrapped in candidates
    assert in_heap and any("pg_wal" in p.parts for p in files)
    openers = _openers(key_dir)
    context = f"conversation:{shredded_id}".encode()
    assert _opens(candidates | from_dump, context, openers) == set()
    assert new_wrapped in candidates
    assert _opens(candidates, f"conversation:{open_id}".encode(), openers) == {open_key}
