"""Pol.is import and export (issue #16): imported voters link to no account and to no Pol.is participant id, the
import writes nothing about who ran it, and an export carries no pseudonym and numbers people in no stored order."""

from __future__ import annotations

import csv
import io
from collections import defaultdict

import sqlalchemy as sa

from app.crypto import tag, voter_pseudonym
from app.extensions import db
from app.models import Conversation, Idea, User, Vote
from app.services.common.keys import conversation_key
from app.services.polis import exporting, importing
from tests import polis_export
from tests.anonymity.dumps import added_rows, changed_tables, dump

# Tables an import may write: the conversation and its key, its content, the import record and the queued run.
IMPORT_TABLES = {"conversation", "conversation_key", "conversation_audience", "question", "idea", "vote",
                 "polis_import", "opinion_run", "key_epoch", "job_outbox"}


def _import(org, files=None):  # type: ignore[no-untyped-def]
    done, _ = importing.import_files(org.id, files or polis_export.export())
    return db.session.get_one(Conversation, done.conversation_id)


def test_imported_voters_are_not_accounts_and_not_derivable_from_polis_ids(org, make_user):
    people = [make_user("facilitator")] + [make_user() for _ in range(5)]
    conversation = _import(org)
    key = conversation_key(conversation)
    stored = set(db.session.scalars(sa.select(Vote.voter).where(Vote.conversation_id == conversation.id).distinct()))
    assert len(stored) == 2 * polis_export.CAMP
    accounts = {voter_pseudonym(key, user.user_key) for user in db.session.scalars(sa.select(User))}
    assert len(accounts) == len(people) and not stored & accounts
    # Even with the conversation key, no pseudonym is an HMAC of the Pol.is participant id under any purpose.
    guesses = {tag(key, purpose, str(pid)) for pid in range(2 * polis_export.CAMP)
               for purpose in ("vote", "polis", "polis-voter", "participant", "voter")}
    guesses |= {voter_pseudonym(key, str(pid)) for pid in range(2 * polis_export.CAMP)}
    assert not stored & guesses
    # A second import of other files gives new pseudonyms again: nothing carries over between imports.
    other = _import(org, polis_export.export(participants=24))
    again = set(db.session.scalars(sa.select(Vote.voter).where(Vote.conversation_id == other.id).distinct()))
    assert not again & stored


def test_the_import_writes_nothing_about_who_ran_it(org, make_user):
    person = make_user("facilitator")
    before = dump()
    conversation = _import(org)
    after = dump()
    assert set(changed_tables(before, after)) <= IMPORT_TABLES
    identifiers = {person.email, person.user_key, voter_pseudonym(conversation_key(conversation), person.user_key)}
    for table in IMPORT_TABLES:
        pointing = [fk for fk in db.metadata.tables[table].foreign_keys if fk.column.table.name in ("user", "membership")]
        assert not pointing, table
        for row in added_rows(before, after, table):
            values = {str(v) for k, v in row.items() if k not in ("xmin", "ctid")}
            assert not values & identifiers, (table, row)
    # No time finer than the hour on content, and no time at all on votes.
    assert {c.name for c in Vote.__table__.columns} == {"idea_id", "voter", "conversation_id", "value"}
    for hour in db.session.scalars(sa.select(Idea.created_hour).where(Idea.conversation_id == conversation.id)):
        assert (hour.minute, hour.second, hour.microsecond) == (0, 0, 0)
    # The import record keeps the files' digest and counts, never a mapping from Pol.is participants.
    record = added_rows(before, after, "polis_import")[0]
    assert record["files"] is None and set(record["counts"]) == {
        "topic", "url", "statements", "hidden_statements", "participants", "votes", "source_groups"}


def _records(rows: list[list[str]]) -> dict[str, frozenset]:
    """participant number -> its voting record, from votes.csv (comment number, vote)."""
    record: dict[str, set] = defaultdict(set)
    for _, _, comment, participant, value in rows[1:]:
        record[participant].add((comment, value))
    return {p: frozenset(r) for p, r in record.items()}


def test_an_export_holds_no_pseudonym_and_numbers_people_in_no_stored_order(org):
    conversation = _import(org)
    files = exporting.export_files(conversation)
    stored = sorted(db.session.scalars(sa.select(Vote.voter).where(Vote.conversation_id == conversation.id).distinct()))
    everything = b"".join(files.values()).decode()
    assert not any(voter in everything or voter[:16] in everything for voter in stored)
    # Line each exported participant up with a stored pseudonym by voting record (as an attacker with a dump could).
    comment_of = {body: str(n) for n, body in enumerate(
        row[7] for row in list(csv.reader(io.StringIO(files["comments.csv"].decode())))[1:])}
    rows = list(csv.reader(io.StringIO(files["votes.csv"].decode())))
    exported = _records(rows)
    record_of: dict[str, set] = defaultdict(set)
    for voter, body, value in db.session.execute(sa.select(Vote.voter, Idea.body, Vote.value).join(
            Idea, Idea.id == Vote.idea_id).where(Vote.conversation_id == conversation.id)):
        if body in comment_of:
            record_of[voter].add((comment_of[body], str(value)))
    number_of = {}
    for voter, record in record_of.items():
        matches = [p for p, r in exported.items() if r == frozenset(record)]
        if len(matches) == 1:
            number_of[voter] = int(matches[0])
    assert len(number_of) >= 15  # most records are unique in the sample
    in_pseudonym_order = [number_of[v] for v in stored if v in number_of]
    assert in_pseudonym_order != sorted(in_pseudonym_order)
    # Two exports number people differently: the order is fresh each time, not derived from anything stored.
    second = _records(list(csv.reader(io.StringIO(exporting.export_files(conversation)["votes.csv"].decode()))))
    assert any(second.get(p) != r for p, r in exported.items())
    # No time finer than the hour: every vote row has the same hour stamp, comments carry their posting hour.
    assert len({row[0] for row in rows[1:]}) == 1 and int(rows[1][0]) % 3_600_000 == 0
