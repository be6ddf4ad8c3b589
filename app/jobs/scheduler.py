"""A once-a-minute tick that runs the app's scheduled work (app/services/schedule.py, handed over by create_app
as `app.extensions["chorus.scheduled_work"]`, so this package imports no service)."""

from __future__ import annotations

import logging
import threading

from flask import Flask

log = logging.getLogger("chorus.scheduler")
_started = False
_lock = threading.Lock()
SCHEDULED_WORK = "chorus.scheduled_work"


def tick(app: Flask) -> None:
    """Run one round of scheduled work; safe to call from several processes (runs are de-duplicated)."""
    from app.extensions import db

    work = app.extensions[SCHEDULED_WORK]
    with app.app_context():
        try:
            work()
        except Exception:
            log.exception("Scheduled work failed; it will be tried again at the next tick")
            db.session.rollback()
        finally:
            db.session.remove()


def _loop(app: Flask, interval: float, stop: threading.Event) -> None:
    while not stop.wait(interval):
        tick(app)


def start_ticker(app: Flask, interval: float | None = None) -> threading.Event:
    """Start the background ticker once per process (every CHORUS_SCHEDULER_SECONDS); returns an event that stops it."""
    global _started
    interval = interval or float(app.config.get("CHORUS_SCHEDULER_SECONDS", 60))
    stop = threading.Event()
    with _lock:
        if _started:
            return stop
        _started = True
    threading.Thread(target=_loop, args=(app, interval, stop), name="chorus-scheduler", daemon=True).start()
    return stop
