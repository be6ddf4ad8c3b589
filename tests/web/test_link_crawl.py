"""Every link on every page of the seeded demo leads somewhere, for every role (no 404 or 500)."""

from __future__ import annotations

import re
from collections import deque
from urllib.parse import urljoin, urlsplit

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from app.models import Conversation
from app.seed import DEMO_DOMAIN, DEMO_PASSWORD, WORKSHOP_TITLE, seed

HREF = re.compile(r'href="([^"#]*)(?:#[^"]*)?"')
SKIP = ("/static/", "/auth/sign-out", "/join/leave", "/live/events", "/api/")
# Pages with an id in their path: visit a few of each shape, not all several hundred ideas.
PER_SHAPE = 6  # the demo has five conversations: every one of their pages is visited


def _shape(path: str) -> str:
    return re.sub(r"/(?=[^/]*\d)[0-9A-Za-z_-]+", "/<id>", path)


def crawl(client: FlaskClient, start: str) -> tuple[dict[str, int], dict[str, str]]:
    """Breadth-first GET of every same-site link; returns status by path and the page that linked to it."""
    seen: dict[str, int] = {}
    found_on: dict[str, str] = {start: "(start)"}
    shapes: dict[str, int] = {}
    queue = deque([start])
    while queue:
        path = queue.popleft()
        response = client.get(path, buffered=True)  # streamed downloads are read to the end, as a browser would
        seen[path] = response.status_code
        if response.status_code in (301, 302, 303):
            target = urlsplit(urljoin(path, response.headers["Location"]))
            follow = target.path + (f"?{target.query}" if target.query else "")
            if follow not in seen and follow not in found_on:
                found_on[follow] = path
                queue.append(follow)
            continue
        if response.status_code != 200 or "text/html" not in response.content_type:
            continue
        for href in HREF.findall(response.get_data(as_text=True)):
            href = href.replace("&amp;", "&")
            target = urlsplit(urljoin(path, href))
            if target.netloc not in ("", "localhost") or not target.path or target.path.startswith(SKIP):
                continue
            link = target.path + (f"?{target.query}" if target.query else "")
            if link in found_on:
                continue
            shape = _shape(target.path)
            shapes[shape] = shapes.get(shape, 0) + 1
            if shapes[shape] > PER_SHAPE and shape != target.path:
                continue
            found_on[link] = path
            queue.append(link)
    return seen, found_on


@pytest.fixture
def demo(app: Flask) -> Flask:
    seed(idea_count=30)
    return app


def _sign_in(client: FlaskClient, email: str) -> None:
    page = client.get("/auth/sign-in").get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    response = client.post("/auth/sign-in", data={"email": email, "password": DEMO_PASSWORD, "csrf_token": token})
    assert response.status_code == 302, f"could not sign in as {email}"


def _join_as_guest(client: FlaskClient) -> None:
    code = db.session.scalar(sa.select(Conversation.join_code).where(Conversation.title == WORKSHOP_TITLE))
    page = client.get("/join").get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    response = client.post("/join", data={"code": code, "csrf_token": token})
    assert response.status_code == 302, "the demo's join code did not let a guest in"


@pytest.mark.parametrize("who", ["admin", "facilitator", "lead", "staff01", "guest", "anonymous"])
def test_no_dead_links(demo: Flask, client: FlaskClient, who: str) -> None:
    if who == "guest":
        _join_as_guest(client)
    elif who != "anonymous":
        _sign_in(client, f"{who}@{DEMO_DOMAIN}")
    seen, found_on = crawl(client, "/")
    broken = {path: (status, found_on[path]) for path, status in seen.items() if status >= 400 and status != 429}
    assert not broken, f"broken links for {who}: " + "; ".join(f"{p} -> {s} (linked from {f})" for p, (s, f) in broken.items())
    assert len(seen) > (3 if who == "anonymous" else 10), f"the crawl for {who} reached only {sorted(seen)}"
    missing = [path for path in REACHES[who] if path not in seen]
    assert not missing, f"{who} cannot reach {missing} by following links"


# Surfaces each role must reach from the home page by links alone (ids are the demo's, in seed order).
REACHES = {
    "admin": ["/admin/", "/admin/people", "/admin/organisations", "/facilitate/", "/manage/"],
    "facilitator": ["/facilitate/conversations/3", "/facilitate/conversations/1/moderation", "/facilitate/conversations/4/live",
                    "/facilitate/conversations/2/stages", "/facilitate/conversations/1/paper-notes", "/conversations/1/themes"],
    "lead": ["/manage/conversations/1", "/manage/conversations/1/matrix", "/manage/conversations/1/prioritise",
             "/conversations/1/outcomes", "/organisations/1/outcomes"],
    "staff01": ["/conversations/1/themes", "/conversations/1/prioritise", "/conversations/1/outcomes",
                "/conversations/1/mine", "/conversations/4/live", "/conversations/5"],
    "guest": ["/conversations/4", "/conversations/4/live", "/conversations/4/themes", "/conversations/4/outcomes"],
    "anonymous": ["/auth/sign-in", "/anonymity", "/accessibility"],
}
