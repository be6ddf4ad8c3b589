"""What an attacker holding a database dump sees: every row of every table, in storage order.

Attack tests in this package take a dump before and after an action and compare them, or line rows up by
PostgreSQL's `xmin` and physical order (`ctid`), exactly as someone with `pg_dump` or the data files would.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from app.extensions import db

Dump = dict[str, list[dict[str, Any]]]


def is_postgres() -> bool:
    return db.engine.dialect.name == "postgresql"


def dump() -> Dump:
    """Every row of every table in storage order; on PostgreSQL each row also carries `xmin` and `ctid`."""
    db.session.commit()
    metadata = sa.MetaData()
    metadata.reflect(db.engine)
    result: Dump = {}
    with db.engine.connect() as connection:
        for table in metadata.tables.values():  # sorted_tables warns about the conversation/theme_run cycle
            query = sa.select(table)
            if is_postgres():
                query = query.add_columns(
                    sa.literal_column("xmin::text").label("xmin"), sa.literal_column("ctid::text").label("ctid")
                ).order_by(sa.literal_column("ctid"))
            result[table.name] = [dict(row._mapping) for row in connection.execute(query)]
    return result


def _key(row: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((k, repr(v)) for k, v in row.items() if k not in ("xmin", "ctid")))


def changed_tables(before: Dump, after: Dump) -> dict[str, tuple[int, int]]:
    """Tables whose rows differ between two dumps: {table: (rows removed, rows added)}, ignoring xmin/ctid."""
    changed = {}
    for table in set(before) | set(after):
        old = {_key(r) for r in before.get(table, [])}
        new = {_key(r) for r in after.get(table, [])}
        if old != new:
            changed[table] = (len(old - new), len(new - old))
    return changed


def added_rows(before: Dump, after: Dump, table: str) -> list[dict[str, Any]]:
    old = {_key(r) for r in before.get(table, [])}
    return [r for r in after.get(table, []) if _key(r) not in old]


def rows_by_xmin(snapshot: Dump) -> dict[str, list[tuple[str, dict[str, Any]]]]:
    """PostgreSQL only: {xmin: [(table, row), ...]}: which rows one transaction wrote together."""
    grouped: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for table, rows in snapshot.items():
        for row in rows:
            if "xmin" in row:
                grouped.setdefault(row["xmin"], []).append((table, row))
    return grouped


def rewritten_rows(before: Dump, after: Dump) -> dict[str, int]:
    """PostgreSQL only: {table: rows whose xmin or ctid moved}, which catches an UPDATE that left values alone."""
    changed: dict[str, int] = {}
    for table, rows in after.items():
        old = {(r.get("xmin"), r.get("ctid")) for r in before.get(table, []) if "xmin" in r}
        moved = sum(1 for r in rows if "xmin" in r and (r["xmin"], r["ctid"]) not in old)
        if moved:
            changed[table] = moved
    return changed


# --- raw copies: data files, WAL, dump files -------------------------------------------------------------------------


def raw_files(directory: Path) -> list[Path]:
    """Every regular file under a directory: a database's data files and WAL as someone with a disk copy has them."""
    return sorted(p for p in directory.rglob("*") if p.is_file())


def every_window(data: bytes, length: int) -> set[bytes]:
    """Every `length`-byte run in `data`: the candidates when nothing says where a value starts (SQLite files)."""
    return {data[i:i + length] for i in range(len(data) - length + 1)}


def varlena_windows(data: bytes, length: int) -> set[bytes]:
    """PostgreSQL stores a short bytea/text as a 1-byte header then the bytes: every run behind such a header."""
    header = bytes([((length + 1) << 1) | 1])
    found, start = set(), data.find(header)
    while start != -1:
        window = data[start + 1:start + 1 + length]
        if len(window) == length:
            found.add(window)
        start = data.find(header, start + 1)
    return found


def hex_values(text: str, length: int) -> set[bytes]:
    """Every `length`-byte run inside the `\\x…` bytea literals of a plain-text pg_dump."""
    found: set[bytes] = set()
    for literal in re.findall(r"\\\\?x([0-9a-fA-F]+)", text):
        if len(literal) % 2 == 0 and len(literal) >= 2 * length:
            found |= every_window(bytes.fromhex(literal), length)
    return found


def wal_since(data_dir: Path, start_lsn: str, segment_size: int = 16 * 1024 * 1024) -> bytes:
    """PostgreSQL only: the WAL written from `start_lsn` on (`pg_current_wal_lsn()` text), trailing zeros dropped.

    WAL logs an UPDATE as the changed middle of the row only, with no length header in front: an attacker reading WAL
    must try every offset, and this narrows that to what was written after a test began.
    """
    high, low = (int(part, 16) for part in start_lsn.split("/"))
    start = (high << 32) | low
    chunks = []
    for path in sorted((data_dir / "pg_wal").glob("[0-9A-F]" * 24)):
        segment = int(path.name[8:16], 16) * (0x100000000 // segment_size) + int(path.name[16:24], 16)
        first = segment * segment_size
        data = path.read_bytes()
        if first + len(data) > start:
            chunks.append(data[max(0, start - first):].rstrip(b"\0"))
    return b"".join(chunks)
