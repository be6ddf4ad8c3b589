"""Compression (never of live streams), fingerprinted static URLs with year-long caching, per-response CSRF masks."""

from __future__ import annotations

import gzip
import re

import brotli
import pytest
from itsdangerous import URLSafeTimedSerializer

from app.static_files import IMMUTABLE
from tests.conftest import csrf_token

STYLESHEET = re.compile(r'href="(/static/css/chorus\.css\?v=([0-9a-f]{16}))"')


def test_pages_are_compressed_as_the_browser_asks(client, login, make_user):
    login(make_user())
    plain = client.get("/", headers={"Accept-Encoding": "identity"})
    assert plain.status_code == 200 and "Content-Encoding" not in plain.headers
    page = plain.get_data(as_text=True)
    br = client.get("/", headers={"Accept-Encoding": "gzip, deflate, br"})
    assert br.headers["Content-Encoding"] == "br" and "Accept-Encoding" in br.headers["Vary"]
    assert len(br.data) < len(page.encode()) / 2.5  # brotli quality 3 (config.py): a 5 KB page to about 2 KB
    assert brotli.decompress(br.data).decode().startswith(page[:200])
    gz = client.get("/", headers={"Accept-Encoding": "gzip"})
    assert gz.headers["Content-Encoding"] == "gzip" and gzip.decompress(gz.data).decode().startswith(page[:200])
    api = client.get("/api/v1/openapi.json", headers={"Accept-Encoding": "gzip"})
    assert api.headers.get("Content-Encoding") == "gzip"


def test_live_streams_and_downloads_are_never_compressed(app, client, login, make_user, make_conversation):
    conversation = make_conversation()
    app.config.update(CHORUS_LIVE_HEARTBEAT_SECONDS=0.05, CHORUS_LIVE_STREAM_SECONDS=0.2)
    login(make_user())
    stream = client.get(f"/conversations/{conversation.id}/live/events",
                        headers={"Accept": "text/event-stream", "Accept-Encoding": "gzip, br, zstd"}, buffered=False)
    assert stream.status_code == 200
    assert stream.mimetype == "text/event-stream" and "Content-Encoding" not in stream.headers
    first = next(iter(stream.response))
    assert first.startswith(b"retry:")  # plain text, sent at once
    stream.close()


def test_static_urls_carry_a_content_hash_and_are_cached_for_a_year(app, client):
    page = client.get("/auth/sign-in").get_data(as_text=True)
    url, digest = STYLESHEET.search(page).groups()
    fingerprinted = client.get(url)
    assert fingerprinted.status_code == 200 and fingerprinted.headers["Cache-Control"] == IMMUTABLE
    body = fingerprinted.data
    fingerprinted.close()
    import hashlib

    assert hashlib.sha256(body).hexdigest()[:16] == digest  # the hash is the file's, so a change makes a new URL
    bare = client.get("/static/css/chorus.css")  # old, non-fingerprinted URLs still work
    assert bare.status_code == 200 and bare.headers["Cache-Control"] == "no-cache"
    bare.close()
    stale = client.get("/static/css/chorus.css?v=0000000000000000")
    assert stale.status_code == 200 and stale.headers["Cache-Control"] == "no-cache"
    stale.close()
    compressed = client.get(url, headers={"Accept-Encoding": "br"})
    assert compressed.headers.get("Content-Encoding") == "br"
    assert brotli.decompress(compressed.get_data()) == body
    compressed.close()
    # A folder prefix (the NHS.UK assets path templates add file names to) gets no hash.
    assert re.search(r"/static/vendor/nhsuk-frontend-[0-9.]+/assets/", page) or "assets" not in page


def test_csrf_token_is_masked_afresh_for_every_response_and_still_works(client, login, make_user, app):
    user = make_user()
    login(user)
    first, second = csrf_token(client, "/"), csrf_token(client, "/")
    assert first != second
    secret = URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token")
    # The session's secret never appears as such: each token carries it under a different random mask.
    assert secret.loads(first)[:40] != secret.loads(second)[:40]
    expired = "Your session expired or the form was sent twice"
    for token in (first, second):  # both open the same session secret: a form with either passes the CSRF check
        response = client.post("/auth/change-password", data={"csrf_token": token})
        assert expired not in response.get_data(as_text=True), token
    tampered = secret.dumps("0" * 80)
    assert expired in client.post("/auth/change-password", data={"csrf_token": tampered}).get_data(as_text=True)
    assert expired in client.post("/auth/change-password", data={}).get_data(as_text=True)


@pytest.mark.parametrize("field", ["csrf_token"])
def test_a_token_issued_before_masking_still_validates(app, field):
    from app.csrf_mask import generate_csrf, validate_csrf

    with app.test_request_context("/"):
        from flask import session

        session[field] = "a" * 40
        old_style = URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token").dumps("a" * 40)
        validate_csrf(old_style)
        masked = generate_csrf()
        assert masked != old_style
        validate_csrf(masked)
