"""Pol.is imports: the uploaded export files while they wait to be imported, then the source's counts.

Nothing here points to a person: Pol.is participants become random vote pseudonyms, and no mapping from a Pol.is
participant id to a pseudonym is ever stored. Re-importing is recognised by the digest of the files alone.
"""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import Model
from app.models.base import this_hour

DONE_SQL = "conversation_id IS NOT NULL"


class PolisImportStatus(enum.StrEnum):
    CHECKED = "checked"  # checked and previewed, waiting for the facilitator to confirm
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class PolisImport(Model):
    """One upload of a Pol.is export into an organisation; once done, it marks its conversation as imported."""

    __table_args__ = (
        # The same files make one conversation per organisation: re-importing them changes nothing.
        sa.Index("ux_polis_import_done", "organisation_id", "digest", unique=True,
                 sqlite_where=sa.text(DONE_SQL), postgresql_where=sa.text(DONE_SQL)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    digest: Mapped[str] = mapped_column(sa.String(64))
    status: Mapped[str] = mapped_column(sa.String(10), default=PolisImportStatus.CHECKED.value)
    # The export files as one zip, kept only until the import finishes (every host can read them, unlike a disk).
    files: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    # What checking found: topic, statements, hidden statements, participants, votes, groups in the source, url.
    counts: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    progress: Mapped[int] = mapped_column(default=0)  # percent, while a background import runs
    conversation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("conversation.id", ondelete="SET NULL"), unique=True)
    error: Mapped[str | None] = mapped_column(sa.Text)
    created_hour: Mapped[datetime] = mapped_column(default=this_hour)
