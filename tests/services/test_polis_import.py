"""Importing a Pol.is conversation: counts, moderation, votes without times, idempotency and all-or-nothing errors."""

from __future__ import annotations

import sqlalchemy as sa
import pytest

from app.extensions import db
from app.models import (ContentStatus, Conversation, Idea, OpinionRun, PolisImport, PolisImportStatus, RunStatus,
                        Vote, VotingMode)
from app.services.common.errors import InvalidInput, NotFound
from app.services.polis import files as polis_files
from app.services.polis import importing
from app.services.polis.files import PolisFileErrors, files_from_zip, read_export
from tests import polis_export

TABLES = (Conversation, Idea, Vote, PolisImport, OpinionRun)


def _counts() -> dict[str, int]:
    return {model.__tablename__: db.session.scalar(sa.select(sa.func.count()).select_from(model)) for model in TABLES}


def _expected_votes(participants: int = 2 * polis_export.CAMP) -> int:
    return sum(len(polis_export.votes_of(p)) for p in range(participants))


def test_import_makes_a_draft_agree_conversation_with_hidden_moderated_out_statements(org):
    done, imported = importing.import_files(org.id, polis_export.export())
    assert imported and done.status == PolisImportStatus.DONE and done.files is None
    conversation = db.session.get_one(Conversation, done.conversation_id)
    assert conversation.title == "Rota fairness" and conversation.voting_mode == VotingMode.AGREE
    assert conversation.status == "draft" and conversation.organisation_id == org.id
    ideas = db.session.scalars(sa.select(Idea).where(Idea.conversation_id == conversation.id)).all()
    assert len(ideas) == polis_export.STATEMENTS
    hidden = [i for i in ideas if i.status == ContentStatus.HIDDEN]
    assert [i.body for i in hidden] == [f"Statement number {polis_export.REMOVED}: we should change rota rule 9"]
    assert all(i.source == "polis" and i.created_hour.minute == 0 and i.created_hour.second == 0 for i in ideas)
    assert done.counts == {"topic": "Rota fairness", "url": "https://pol.is/example", "statements": 10,
                           "hidden_statements": 1, "participants": 30, "votes": _expected_votes(), "source_groups": 2}
    assert importing.source_of(conversation.id).id == done.id


def test_votes_are_stored_without_times_and_the_later_vote_wins(org):
    done, _ = importing.import_files(org.id, polis_export.export())
    assert {c.name for c in Vote.__table__.columns} == {"idea_id", "voter", "conversation_id", "value"}
    votes = db.session.execute(sa.select(Vote.voter, Idea.body, Vote.value).join(Idea, Idea.id == Vote.idea_id)
                               .where(Vote.conversation_id == done.conversation_id)).all()
    assert len(votes) == _expected_votes()
    assert len({voter for voter, _, _ in votes}) == 30
    first = [value for _, body, value in votes if body.startswith("Statement number 0:")]
    expected = [polis_export.votes_of(p)[0] for p in range(30) if 0 in polis_export.votes_of(p)]
    assert sorted(first) == sorted(expected)  # the vote cast first (always different) was changed later


def test_reimporting_the_same_files_changes_nothing(org):
    files = polis_export.export()
    first, _ = importing.import_files(org.id, files)
    before = _counts()
    again, imported = importing.import_files(org.id, dict(reversed(list(files.items()))))
    assert not imported and again.id == first.id
    # The same files zipped in a folder are the same export.
    zipped, imported = importing.import_files(org.id, files_from_zip(polis_export.zipped(files, "export/")))
    assert not imported and zipped.id == first.id
    staged = importing.check_files(frozenset({org.id}), org.id, files)
    assert staged.id == first.id
    assert _counts() == before


def test_preview_then_confirm(org):
    staged = importing.check_files(frozenset({org.id}), org.id, polis_export.export())
    assert staged.status == PolisImportStatus.CHECKED and staged.conversation_id is None
    assert staged.counts["participants"] == 30 and staged.files
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Idea)) == 0
    done = importing.confirm_import(frozenset({org.id}), staged.id)
    assert done.status == PolisImportStatus.DONE and done.conversation_id
    assert importing.confirm_import(frozenset({org.id}), staged.id).conversation_id == done.conversation_id
    with pytest.raises(NotFound):
        importing.confirm_import(frozenset({org.id + 1}), staged.id)


def test_a_large_import_runs_as_a_background_job(app, org):
    app.config["CHORUS_POLIS_INLINE_VOTES"] = 10  # the test app runs jobs inline, as a worker would
    staged = importing.check_files(frozenset({org.id}), org.id, polis_export.export())
    importing.confirm_import(frozenset({org.id}), staged.id)
    db.session.expire_all()
    found = db.session.get_one(PolisImport, staged.id)
    assert found.status == PolisImportStatus.DONE and found.conversation_id and found.files is None


def test_a_running_import_reports_its_progress(app, org, monkeypatch):
    monkeypatch.setattr(importing, "VOTE_BATCH", 100)
    seen: list[int] = []
    real = importing._report

    def recording(import_id: int, percent: int) -> None:
        real(import_id, percent)
        seen.append(importing.progress_of(db.session.get_one(PolisImport, import_id)))

    monkeypatch.setattr(importing, "_report", recording)
    staged = importing.check_files(frozenset({org.id}), org.id, polis_export.export())
    done = importing.confirm_import(frozenset({org.id}), staged.id)
    assert seen[0] == 10 and seen[1] == 20 and len(seen) >= 4 and seen == sorted(seen) and seen[-1] <= 95
    assert importing.progress_of(done) == 100 and staged.id not in app.extensions["chorus_polis_progress"]


def test_participants_votes_alone_is_enough(org):
    files = polis_export.export()
    del files["votes.csv"]
    done, _ = importing.import_files(org.id, files)
    assert done.counts["votes"] == _expected_votes() and done.counts["participants"] == 30


def test_import_works_out_the_opinion_groups_and_map(org):
    done, _ = importing.import_files(org.id, polis_export.export())
    run = db.session.scalar(sa.select(OpinionRun).where(OpinionRun.conversation_id == done.conversation_id))
    assert run is not None and run.status == RunStatus.SUCCEEDED
    assert sorted(g["size"] for g in run.groups) == [15, 15]
    assert run.map_points and len(run.map_points) == 30
    assert run.map_points == sorted(run.map_points)
    assert all(0 <= x <= 1000 and 0 <= y <= 1000 and g in (0, 1) for x, y, g in run.map_points)


def _without(name: str, old: bytes, new: bytes) -> dict[str, bytes]:
    files = polis_export.export()
    assert old in files[name]
    files[name] = files[name].replace(old, new, 1)
    return files


BAD = {
    "wrong columns": (_without("comments.csv", b"comment-body", b"text"), "'comment-body'"),
    "unknown statement in votes": (_without("votes.csv", b"\n1500000100001,x,0,0,", b"\n1500000100001,x,99,0,"),
                                   "statement 99 is not in comments.csv"),
    "unknown statement column": (_without("participants-votes.csv", b",9\n", b",77\n"),
                                 "the column for statement 77 has no row in comments.csv"),
    "formula in a cell": (_without("comments.csv", b"Statement number 3:", b"=HYPERLINK(1)"),
                          "starts like a spreadsheet formula"),
    "vote out of range": (_without("votes.csv", b"\n1500000100001,x,0,0,", b"\n1500000100001,x,0,0,7"),
                          "vote 1, -1 or 0"),
    "duplicate statement": (_without("comments.csv", b",1,1,0,0,1,", b",0,1,0,0,1,"), "comment-id 0 appears twice"),
    "not UTF-8": (_without("comments.csv", b"Statement number 2", b"Statement \xff\xfe 2"), "not saved as UTF-8"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_files_are_refused_with_a_clear_message_and_nothing_is_written(org, case):
    files, message = BAD[case]
    before = _counts()
    with pytest.raises(PolisFileErrors) as refused:
        importing.import_files(org.id, files)
    assert any(message in problem for problem in refused.value.errors), refused.value.errors
    assert any(problem.startswith(("comments.csv", "votes.csv", "participants-votes.csv")) for problem in
               refused.value.errors)
    with pytest.raises(PolisFileErrors):
        importing.check_files(frozenset({org.id}), org.id, files)
    assert _counts() == before


def test_missing_or_oversized_files_are_refused(org, monkeypatch):
    before = _counts()
    with pytest.raises(InvalidInput, match="Upload comments.csv and votes.csv"):
        importing.import_files(org.id, {"comments.csv": polis_export.export()["comments.csv"]})
    monkeypatch.setattr(polis_files, "MAX_TOTAL_BYTES", 1000)
    with pytest.raises(InvalidInput, match="must be smaller than"):
        importing.import_files(org.id, polis_export.export())
    with pytest.raises(InvalidInput, match="must be smaller than"):
        files_from_zip(polis_export.zipped(polis_export.export()))
    with pytest.raises(InvalidInput, match="could not be opened"):
        files_from_zip(b"not a zip")
    assert _counts() == before


def test_a_failure_halfway_writes_nothing_but_the_failed_status(org, monkeypatch):
    staged = importing.check_files(frozenset({org.id}), org.id, polis_export.export())
    before = _counts()
    calls = {"n": 0}
    from app.services.themes import reading

    real = reading.check_text

    def failing(text: str):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] > 5:
            raise RuntimeError("disk full")
        return real(text)

    monkeypatch.setattr(reading, "check_text", failing)
    with pytest.raises(importing.ImportFailed, match=r"stopped with an error \(RuntimeError\); nothing was imported"):
        importing.confirm_import(frozenset({org.id}), staged.id)
    db.session.expire_all()
    failed = db.session.get_one(PolisImport, staged.id)
    assert failed.status == PolisImportStatus.FAILED and "nothing was imported" in (failed.error or "")
    assert _counts() == before


def test_read_export_of_the_sample_keeps_polis_groups_in_memory_only():
    export = read_export(polis_export.export())
    assert export.polis_group_of[0] == 0 and export.polis_group_of[29] == 1
    assert export.counts()["statements"] == 10
