"""Fingerprinted static URLs: `url_for('static', ...)` adds `?v=<content hash>`, and such URLs are cached for a year.

A changed file gets a new hash, so a browser never keeps a stale copy; an old or bare URL (bookmarks, relative
imports inside vendored CSS and JS) still works and is revalidated with its ETag on every use (`no-cache`).
"""

from __future__ import annotations

import hashlib
import os
import threading
from stat import S_ISREG

from flask import Flask, Response, current_app, request
from werkzeug.security import safe_join

IMMUTABLE = "public, max-age=31536000, immutable"
_lock = threading.Lock()
_digests: dict[str, tuple[int, int, str]] = {}


def static_digest(static_folder: str, filename: str) -> str | None:
    """The first 16 hex digits of the file's SHA-256, or None when it is not a file (e.g. a folder prefix)."""
    path = safe_join(static_folder, filename)
    if path is None:
        return None
    try:
        stat = os.stat(path)
    except OSError:
        return None
    if not S_ISREG(stat.st_mode):  # what os.path.isfile asks, without a second stat on every static URL
        return None
    cached = _digests.get(path)
    # Keyed by size and change time, so an edited file in development gets a new hash without a restart.
    if cached and cached[:2] == (stat.st_mtime_ns, stat.st_size):
        return cached[2]
    with open(path, "rb") as file:
        digest = hashlib.file_digest(file, "sha256").hexdigest()[:16]
    with _lock:
        _digests[path] = (stat.st_mtime_ns, stat.st_size, digest)
    return digest


def init_static(app: Flask) -> None:
    """Add the hash to static URLs and the long-lived cache header to responses for the current hash."""
    folder = app.static_folder
    if folder is None:
        return

    @app.url_defaults
    def _fingerprint(endpoint: str, values: dict[str, object]) -> None:
        if endpoint == "static" and "v" not in values and isinstance(values.get("filename"), str):
            digest = static_digest(folder, str(values["filename"]))
            if digest:
                values["v"] = digest

    @app.after_request
    def _cache(response: Response) -> Response:
        if request.endpoint != "static" or response.status_code not in (200, 304):
            return response
        if response.status_code == 200 and response.mimetype in current_app.config.get("COMPRESS_MIMETYPES", ()):
            # Read the (small) file into memory and close it, so compression sees a whole body with a length
            # instead of a stream, whose file it would leave unclosed.
            response.direct_passthrough = False
            response.make_sequence()
        version = request.args.get("v")
        filename = (request.view_args or {}).get("filename")
        if version and isinstance(filename, str) and version == static_digest(folder, filename):
            response.headers["Cache-Control"] = IMMUTABLE
        else:
            response.headers["Cache-Control"] = "no-cache"
        return response
