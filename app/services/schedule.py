"""Scheduled work, once a minute: queue jobs left in the outbox, fail runs whose worker died, close due
conversations, release due batches, shred expired keys, queue theme and opinion-group runs, move live sessions on,
refresh participation figures hourly and send due invitations, reminders and announcements; then truncate SQLite's write-ahead log.

app/jobs/scheduler.py runs it; create_app hands it over, so the job machinery imports no service.
"""

from __future__ import annotations

from app.jobs import outbox as job_outbox
from app.services.content.note_imports import clear_abandoned_checks, fail_dead_imports
from app.services.common.keys import shred_expired_keys
from app.sqlite import checkpoint_wal
from app.services.conversations.lifecycle import close_due_conversations
from app.services.conversations.participation_batch import refresh_due as refresh_participation
from app.services.conversations.release import release_due
from app.services.messaging.sending import send_due as send_due_messages
from app.services.opinions.runs import fail_dead_runs as fail_dead_opinion_runs
from app.services.opinions.runs import run_scheduled as run_scheduled_opinions
from app.services.themes.runs import fail_dead_runs as fail_dead_theme_runs
from app.services.themes.runs import run_scheduled
from app.services.workshops.auto_advance import advance_due


def run_scheduled_work() -> None:
    """One round, in this order: a conversation closing now has its waiting posts released before runs see it."""
    job_outbox.dispatch()  # work recorded while Redis was away
    fail_dead_theme_runs()  # before new runs are queued, so a dead run no longer blocks its conversation
    fail_dead_opinion_runs()
    fail_dead_imports()
    clear_abandoned_checks()
    close_due_conversations()
    release_due()
    shred_expired_keys()
    run_scheduled()
    run_scheduled_opinions()
    advance_due()
    refresh_participation()
    send_due_messages()  # after closing, so a reminder for a conversation that just closed is not sent
    # Last, so frames holding text withdrawn or redacted this minute leave the SQLite -wal file now.
    checkpoint_wal()
