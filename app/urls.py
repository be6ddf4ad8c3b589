"""Safe redirects: only paths on this site, never another host."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import url_for


def safe_next(target: str | None, default_endpoint: str = "participate.home") -> str:
    """Return `target` if it is a local path, else the default page."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//") and "\\" not in target:
            return target
    return url_for(default_endpoint)
