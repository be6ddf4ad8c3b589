"""A large import of typed-up paper notes, checked and saved by a background job that reports its progress."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import Model
from app.models.base import this_hour
from app.models.theme import RunStatus


class NoteImport(Model):
    """The notes wait here (they have no author) until the job has saved them as ideas; then the text is cleared.

    A job payload carries only this row's id (rule A7); times are hours (rule A5).
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(sa.ForeignKey("conversation.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[int | None] = mapped_column(sa.ForeignKey("question.id", ondelete="CASCADE"))
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    check_only: Mapped[bool] = mapped_column(default=False)  # a check: nothing is saved, the notes stay for import
    status: Mapped[str] = mapped_column(sa.String(10), default=RunStatus.QUEUED.value)
    total: Mapped[int] = mapped_column(default=0)
    checked: Mapped[int] = mapped_column(default=0)
    imported: Mapped[int] = mapped_column(default=0)
    flagged: Mapped[int] = mapped_column(default=0)
    held: Mapped[int] = mapped_column(default=0)
    # The row-numbered problems as JSON [[row, message], ...] (at most 200), or a message in `error`.
    row_errors: Mapped[str | None] = mapped_column(sa.Text)
    error: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=this_hour)
    finished_at: Mapped[datetime | None]
