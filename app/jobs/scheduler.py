"""A once-a-minute tick that queues scheduled work: theme and opinion-group runs, closing, key shredding,
batches of waiting posts that are due for release, and the hourly participation figures."""

from __future__ import annotations

import logging
import threading

from flask import Flask

log = logging.getLogger("chorus.scheduler")
_started = False
_lock = threading.Lock()


def tick(app: Flask) -> None:
    """Run one round of scheduled work; safe to call from several processes (runs are de-duplicated)."""
    from app.extensions import db
    from app.services.conversations.lifecycle import close_due_conversations
    from app.services.common.keys import shred_expired_keys
    from app.services.conversations.release import release_due
    from app.services.workshops.auto_advance import advance_due
    from app.services.opinions.runs import run_scheduled as run_scheduled_opinions
    from app.services.conversations.participation_batch import refresh_due as refresh_participation
    from app.services.themes.runs import run_scheduled

    with app.app_context():
        try:
            close_due_conversations()
            release_due()
            shred_expired_keys()
            run_scheduled()
            run_scheduled_opinions()
            advance_due()
            refresh_participation()
        except Exception:
            log.exception("Scheduled work failed; it will be tried again at the next tick")
            db.session.rollback()
        finally:
            db.session.remove()


def _loop(app: Flask, interval: float, stop: threading.Event) -> None:
    while not stop.wait(interval):
        tick(app)


def start_ticker(app: Flask, interval: float = 60.0) -> threading.Event:
    """Start the background ticker once per process; returns an event that stops it."""
    global _started
    stop = threading.Event()
    with _lock:
        if _started:
            return stop
        _started = True
    threading.Thread(target=_loop, args=(app, interval, stop), name="chorus-scheduler", daemon=True).start()
    return stop
