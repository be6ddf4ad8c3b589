"""Helpers for the migration scripts in migrations/versions (kept small and stable: old scripts import them)."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


def refuse_downgrade_if_any(revision: str, checks: dict[str, str]) -> None:
    """Refuse to downgrade while any query finds rows the older schema would lose (or held posts it would publish).

    `checks` maps what the rows are ("quick poll(s)") to a query counting them.
    """
    bind = op.get_bind()
    found = [f"{count} {what}" for what, sql in checks.items() if (count := bind.execute(sa.text(sql)).scalar())]
    if found:
        raise RuntimeError(
            f"Refusing to downgrade {revision}: " + "; ".join(found) + " would be lost or changed by the older "
            "schema. To roll back, restore the backup taken before the upgrade (docs/operations.md, 'Rolling back').")
