"""After a batch release, a dump of every table does not keep the order the batch's posts were written in."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from app.extensions import db
from app.models import Idea, LiveEvent
from app.models.base import this_hour
from app.services.content import ideas
from app.services.conversations import release

# Columns that differ between posts because their content differs; nothing else may.
CONTENT_COLUMNS = {"id", "body", "author_tag", "nonce", "slot_tag", "sentiment"}  # per item, keyed or random
ORDER = (5, 2, 7, 0, 3, 6, 1, 4)


def _dump() -> dict[str, list[dict[str, Any]]]:
    """Every row of every table in storage order, as a dump would read them (PostgreSQL: with xmin)."""
    postgres = db.engine.dialect.name == "postgresql"
    metadata = sa.MetaData()
    metadata.reflect(db.engine)
    dump = {}
    with db.engine.connect() as connection:
        for table in metadata.tables.values():
            query = sa.select(table)
            if postgres:
                query = query.add_columns(sa.literal_column("xmin::text").label("xmin")).order_by(sa.literal_column("ctid"))
            dump[table.name] = [dict(row._mapping) for row in connection.execute(query)]
    return dump


def test_a_dump_after_a_release_does_not_keep_the_writing_order(make_user, make_conversation, as_participant,
                                                                  monkeypatch):
    conversation = make_conversation()
    release.apply_settings(conversation, True, 100, 168)
    db.session.commit()
    people = [as_participant(make_user()) for _ in range(4)]
    question = conversation.questions[0].id
    written = [ideas.post_idea(people[n % 4], question, f"Idea {n}: more staff on the wards at night")[0].id
               for n in range(8)]
    # Written over several hours, as they would be: the stored hours say so while the posts wait.
    earlier = [this_hour() - timedelta(hours=8 - n) for n in range(8)]
    for idea_id, hour in zip(written, earlier, strict=True):
        db.session.execute(sa.update(Idea).where(Idea.id == idea_id).values(created_hour=hour))
    db.session.commit()
    # A fixed order stands in for the random shuffle, so the test can tell which order the rows end up in.
    shuffled = [written[i] for i in ORDER]
    monkeypatch.setattr(release, "shuffle", lambda items: items.sort(key=lambda item: shuffled.index(item.id)))

    assert release.release_now(conversation) == 8
    dump = _dump()

    rows = [row for row in dump["idea"] if row["id"] in written]
    assert len(rows) == 8
    for column in set(rows[0]) - CONTENT_COLUMNS:
        assert len({row[column] for row in rows}) == 1, f"idea.{column} differs within the batch"
    assert rows[0]["created_hour"] == this_hour()
    for table, table_rows in dump.items():
        for row in table_rows:
            assert not set(row.values()) & set(earlier), f"{table} still holds a writing hour"
    stored = [row["id"] for row in rows]
    if db.engine.dialect.name == "postgresql":
        # Each post was rewritten by its own UPDATE in the shuffled order, all in one transaction.
        assert stored == shuffled
    else:
        assert stored == sorted(written)  # WITHOUT ROWID: rows sit in the order of their random ids
    events = [json.loads(e.payload)["idea_id"] for e in db.session.scalars(
        sa.select(LiveEvent).where(LiveEvent.conversation_id == conversation.id, LiveEvent.type == "idea")
        .order_by(LiveEvent.id))]
    assert events == shuffled


def test_sqlite_overwrites_old_row_copies(app):
    """The embedded database zeroes deleted and rewritten rows, so no old writing hour stays in the file."""
    if db.engine.dialect.name != "sqlite":
        return
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA secure_delete").scalar() == 1
