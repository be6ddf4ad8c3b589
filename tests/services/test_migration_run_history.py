"""The run-history migration truncates run times to the hour and prunes old theme runs (rule A5), on SQLite."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_migrate import upgrade

from app import create_app

EXACT = datetime(2026, 11, 30, 10, 14, 7, 123456)


def test_upgrade_keeps_the_current_and_previous_runs_and_only_hours(tmp_path):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'm.sqlite'}"})
    with app.app_context():
        from app.extensions import db

        upgrade(revision="5b0c7e3d9a41")
        meta = sa.MetaData()
        meta.reflect(db.engine)

        def insert(c, table: str, **values) -> None:  # type: ignore[no-untyped-def]
            """Insert a row, filling required columns the test does not care about with plain values."""
            for column in meta.tables[table].columns:
                if column.name in values or column.nullable or column.server_default is not None:
                    continue
                if column.primary_key and isinstance(column.type, sa.Integer):
                    continue
                kind = column.type.python_type if not isinstance(column.type, sa.JSON) else list
                values[column.name] = {str: "x", int: 0, bool: False, float: 0.0, datetime: EXACT,
                                       list: "[]", bytes: b"x"}.get(kind, "x")
            c.execute(meta.tables[table].insert().values(**values))

        with db.engine.begin() as c:
            insert(c, "organisation", id=1)
            insert(c, "conversation", id=1, organisation_id=1, created_at=EXACT)
            insert(c, "question", id=1, conversation_id=1)
            insert(c, "idea", id="i1", conversation_id=1, question_id=1,
                   created_hour=EXACT.replace(minute=0, second=0, microsecond=0))
            insert(c, "theme", id=1, conversation_id=1, created_at=EXACT)
            for run_id, status in ((1, "succeeded"), (2, "failed"), (3, "succeeded"), (4, "succeeded"),
                                   (5, "failed")):
                insert(c, "theme_run", id=run_id, conversation_id=1, status=status, created_at=EXACT,
                       finished_at=EXACT, trigger="manual" if run_id == 1 else "schedule")
                if status == "succeeded":
                    insert(c, "theme_snapshot", run_id=run_id, theme_id=1)
                    insert(c, "theme_assignment", run_id=run_id, idea_id="i1", theme_id=1)
            c.execute(sa.text("UPDATE conversation SET current_theme_run_id = 4"))
            insert(c, "opinion_run", conversation_id=1, status="succeeded", created_at=EXACT, finished_at=EXACT)
            insert(c, "user", id=1, email="nurse@trust.nhs.uk", user_key="local:x")
            insert(c, "membership", user_id=1, organisation_id=1)
        upgrade()
        with db.engine.connect() as c:
            # 1: the newest on-demand run, kept as a bare row for the rate limit; 3: previous; 4: current; 5: failed.
            assert [r[0] for r in c.execute(sa.text("SELECT id FROM theme_run ORDER BY id"))] == [1, 3, 4, 5]
            assert [r[0] for r in c.execute(sa.text("SELECT DISTINCT run_id FROM theme_assignment"))] == [4]
            assert sorted(r[0] for r in c.execute(sa.text("SELECT run_id FROM theme_snapshot"))) == [3, 4]
            times = [v for table, cols in (("theme_run", "created_at, finished_at"), ("theme", "created_at"),
                                           ("opinion_run", "created_at, finished_at"))
                     for row in c.execute(sa.text(f"SELECT {cols} FROM {table}")) for v in row]
            assert times and all(str(v).endswith("10:00:00.000000") or str(v).endswith("10:00:00") for v in times)
            assert str(c.scalar(sa.text("SELECT created_at FROM conversation"))).startswith("2026-11-30 10:14:07")
            # Later migrations rebuild `conversation` and `user` on SQLite: nothing pointing at them may be lost.
            assert c.scalar(sa.text("SELECT count(*) FROM membership")) == 1
            assert c.scalar(sa.text("SELECT count(*) FROM question")) == 1
        db.engine.dispose()
