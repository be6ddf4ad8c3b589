"""Scheduled work, once a minute: close due conversations, release due batches, shred expired keys, queue theme
and opinion-group runs, move live sessions on, and refresh participation figures hourly;
then truncate SQLite's write-ahead log.

app/jobs/scheduler.py runs it; create_app hands it over, so the job machinery imports no service.
"""

from __future__ import annotations

from app.services.common.keys import shred_expired_keys
from app.sqlite import checkpoint_wal
from app.services.conversations.lifecycle import close_due_conversations
from app.services.conversations.participation_batch import refresh_due as refresh_participation
from app.services.conversations.release import release_due
from app.services.opinions.runs import run_scheduled as run_scheduled_opinions
from app.services.themes.runs import run_scheduled
from app.services.workshops.auto_advance import advance_due


def run_scheduled_work() -> None:
    """One round, in this order: a conversation closing now has its waiting posts released before runs see it."""
    close_due_conversations()
    release_due()
    shred_expired_keys()
    run_scheduled()
    run_scheduled_opinions()
    advance_due()
    refresh_participation()
    # Last, so frames holding text withdrawn or redacted this minute leave the SQLite -wal file now.
    checkpoint_wal()
