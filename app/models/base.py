"""Shared column helpers: random ids, UTC clocks and hour truncation for content times."""

from __future__ import annotations

import secrets
from datetime import datetime, timezone


def utcnow() -> datetime:
    """Naive UTC now; the database stores naive UTC everywhere."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def this_hour() -> datetime:
    """Now truncated to the hour: the only time precision content rows ever get."""
    return utcnow().replace(minute=0, second=0, microsecond=0)


def random_id() -> str:
    """A random 22-character URL-safe id, so content ids reveal neither order nor count."""
    return secrets.token_urlsafe(16)
