"""`flask polis import` and `flask polis export`: a folder or zip in, the same layout out, and a round trip."""

from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db
from app.models import Organisation, PolisImport, Vote
from tests import polis_export


def _write(folder, files):  # type: ignore[no-untyped-def]
    folder.mkdir()
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return folder


def test_import_a_folder_then_again_then_export_and_reimport(runner, org, make_org, tmp_path):
    source = _write(tmp_path / "polis", polis_export.export())
    result = runner.invoke(args=["polis", "import", str(source), "--org", org.code])
    assert result.exit_code == 0, result.output
    assert "Imported conversation" in result.output and "10 statements (1 hidden), 30 participants" in result.output
    again = runner.invoke(args=["polis", "import", str(source), "--org", org.code])
    assert again.exit_code == 0 and "Already imported (nothing changed)" in again.output
    conversation_id = db.session.scalar(sa.select(PolisImport.conversation_id))
    out = tmp_path / "out"
    exported = runner.invoke(args=["polis", "export", str(conversation_id), str(out)])
    assert exported.exit_code == 0, exported.output
    assert sorted(p.name for p in out.iterdir()) == ["comments.csv", "participants-votes.csv", "summary.csv",
                                                       "votes.csv"]
    zipped = tmp_path / "export.zip"
    assert runner.invoke(args=["polis", "export", str(conversation_id), str(zipped)]).exit_code == 0
    # Chorus's export is a valid Pol.is export: it imports again, with the published statements and their votes.
    other = make_org("Other Trust")
    back = runner.invoke(args=["polis", "import", str(zipped), "--org", other.code])
    assert back.exit_code == 0, back.output
    assert "9 statements (0 hidden), 30 participants" in back.output
    published_votes = sum(1 for p in range(30) for s in polis_export.votes_of(p) if s != polis_export.REMOVED)
    imported = db.session.scalar(sa.select(PolisImport).where(PolisImport.organisation_id == other.id))
    assert imported.counts["votes"] == published_votes
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Vote).where(
        Vote.conversation_id == imported.conversation_id)) == published_votes


def test_bad_files_and_unknown_names_fail_clearly(runner, org, tmp_path):
    files = polis_export.export()
    files["comments.csv"] = files["comments.csv"].replace(b"comment-body", b"body", 1)
    source = _write(tmp_path / "bad", files)
    result = runner.invoke(args=["polis", "import", str(source), "--org", org.code])
    assert result.exit_code != 0 and "nothing was imported" in result.output and "'comment-body'" in result.output
    missing = runner.invoke(args=["polis", "import", str(source), "--org", "NOPE"])
    assert missing.exit_code != 0 and "There is no organisation called 'NOPE'" in missing.output
    assert runner.invoke(args=["polis", "export", "999999", str(tmp_path / "x")]).exit_code != 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PolisImport)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Organisation)) == 1
