"""What an attacker holding a database dump sees: every row of every table, in storage order.

Attack tests in this package take a dump before and after an action and compare them, or line rows up by
PostgreSQL's `xmin` and physical order (`ctid`), exactly as someone with `pg_dump` or the data files would.
"""

from __future__ import annotations

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
