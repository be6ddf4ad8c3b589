"""SQLite in the embedded default: WAL for concurrent writers, a busy timeout, and a WAL that keeps no old rows.

Rollback-journal SQLite lets one reader block every writer, so 20 concurrent writers gave `database is locked`
after the busy timeout. In WAL mode readers never block the writer and writers queue on the busy timeout.
The -wal file holds whole page images, including a page as it was before a post was withdrawn or redacted;
`secure_delete` cannot reach those frames, so the WAL is checkpointed and truncated to zero bytes once a
minute (and is never allowed to grow past `journal_size_limit` after a checkpoint): docs/operations.md,
"SQLite (embedded default)".
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Flask

from app.extensions import db


def _is_file(url: sa.engine.URL) -> bool:
    return bool(url.database) and url.database != ":memory:" and "mode=memory" not in str(url)


def init_sqlite(app: Flask) -> None:
    """Set the connection pragmas on every new SQLite connection of this app's engine."""
    busy_ms = int(app.config.get("CHORUS_SQLITE_BUSY_TIMEOUT_MS", 15000))
    wal = _is_file(db.engine.url)

    def pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
        # Overwrite deleted and rewritten rows with zeros, so the file keeps no old copy of a withdrawn post
        # or of a batch-released post's writing hour (docs/anonymity.md, "Batch release").
        cursor.execute("PRAGMA secure_delete=ON")
        # Switching modes needs the database to itself, so many processes connecting at once would each get
        # "database is locked": switch only once, when the file is not in WAL mode yet (the mode is persistent).
        if wal and cursor.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            cursor.execute("PRAGMA journal_mode=WAL")
        if wal:
            # Keep acknowledged writes through a power cut (NORMAL could lose the last commits).
            cursor.execute("PRAGMA synchronous=FULL")
            # After a checkpoint the -wal file shrinks back to nothing instead of keeping old frames for reuse.
            cursor.execute("PRAGMA journal_size_limit=0")
        cursor.close()

    sa.event.listen(db.engine, "connect", pragmas)


def checkpoint_wal() -> bool:
    """Copy the WAL into the database and truncate it to zero bytes; False when readers kept it from finishing."""
    if db.engine.dialect.name != "sqlite" or not _is_file(db.engine.url):
        return True
    with db.engine.connect() as connection:
        busy, _log, _done = connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()
    return busy == 0
