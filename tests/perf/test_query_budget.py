"""Statement budgets per hot route: a change that adds SQL to a vote, a post or a page fails here.

Each route runs against a small conversation and again after the conversation, and another one, have grown
(hundreds of ideas, thousands of votes and comments): the count must be the same, so no request does work
that grows with its conversation or with the instance.
"""

from __future__ import annotations

import itertools
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Comment, Conversation, Idea, Vote
from app.services.accounts.users import create_api_token
from tests.conftest import BACKEND

# Budgets per request, authentication included: a bearer token with its person's memberships is 1 statement,
# a session cookie 1 too (the person, with the check that the session was not signed out).
# Numbering and storing a write's live event: one statement on PostgreSQL, sent with the COMMIT in one pipeline
# (app/live/numbering.py), two on SQLite (app/live/store.py).
EVENT = 1 if BACKEND == "postgresql" else 2
# + idea with conversation, key and access check; upsert; the idea's new counts (one statement with the upsert on
# PostgreSQL, content/voting.py)
VOTE = (3 if BACKEND == "postgresql" else 4) + EVENT
WITHDRAW = 4 + EVENT   # the same, with a delete instead of the upsert
COMMENT = 3 + EVENT    # + idea with access; insert ... on conflict returning the row (what the answer shows)
POST_IDEA = 5 + EVENT  # + question with access; insert returning the row (what the answer shows); the conversation
                       # again (for the answer and the embedding job)
IDEA_LIST = 5   # + question with access; total; the page's ids (in fair random order with own votes, or sorted with
                # their counts); the cards with their counts (fair random order) or own votes (sorted). Counted cold:
                # a worker keeps the total, sorted ids and cards until the next live event (content/cards.py)
LIVE_POLL = 4   # session (1); conversation with access; events after the cursor and the current number
API_LIVE = 7    # token (1); conversation with access; the board's notes with counts; own votes; questions; events; number
PAGE = 5        # session (1); conversation or question with access; what the page shows, per page not per size;
                # whether the organisation has a Freedom to Speak Up Guardian (the "also send" box on the idea form)
QUESTION_PAGE = 5  # session (1); then as IDEA_LIST without the token (4), the Guardian check read with the question

_counter = itertools.count(1)
COMMITS: dict[str, list[str]] = {}  # the last request's statements with its COMMITs, in order


class Statements(list):
    """The statements a request sent; compares as their number, prints them all when a budget fails."""

    def __eq__(self, other: object) -> bool:
        return len(self) == (len(other) if isinstance(other, list) else other)

    def __le__(self, other: int) -> bool:
        return len(self) <= other

    def __repr__(self) -> str:
        return f"{len(self)} statements:\n" + "\n".join("  " + " ".join(s.split())[:200] for s in self)


@dataclass(frozen=True)
class Ids:
    conversation: int
    question: int
    neighbour: int


@contextmanager
def statements() -> Iterator[list[str]]:
    """Every SQL statement sent while the block runs, on any connection of the app's engine."""
    seen: list[str] = []
    log = COMMITS.setdefault("log", [])
    log.clear()

    def count(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        seen.append(statement)
        log.append(" ".join(statement.split()))

    def commit(conn):  # type: ignore[no-untyped-def]
        log.append("COMMIT")

    sa.event.listen(db.engine, "before_cursor_execute", count)
    sa.event.listen(db.engine, "commit", commit)
    try:
        yield seen
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
        sa.event.remove(db.engine, "commit", commit)


def _grow(conversation: Conversation, ideas: int, votes_per_idea: int, comments_per_idea: int) -> None:
    """Add published ideas with votes and comments straight into the tables (fast; no service involved)."""
    question_id = conversation.questions[0].id
    idea_rows, vote_rows, comment_rows = [], [], []
    for _ in range(ideas):
        idea_id = secrets.token_hex(12)
        idea_rows.append({"id": idea_id, "conversation_id": conversation.id, "question_id": question_id,
                          "body": f"Grown idea number {next(_counter)}", "author_tag": secrets.token_hex(32),
                          "nonce": secrets.token_hex(16)})
        vote_rows += [{"idea_id": idea_id, "voter": secrets.token_hex(32), "conversation_id": conversation.id,
                       "value": 1} for _ in range(votes_per_idea)]
        comment_rows += [{"id": secrets.token_hex(12), "conversation_id": conversation.id, "idea_id": idea_id,
                          "body": "A grown comment", "author_tag": secrets.token_hex(32), "nonce": secrets.token_hex(16)}
                         for _ in range(comments_per_idea)]
    db.session.execute(sa.insert(Idea), idea_rows)
    db.session.execute(sa.insert(Vote), vote_rows)
    db.session.execute(sa.insert(Comment), comment_rows)
    # What the services' writes would have recorded: live events, which end what pages kept of the smaller
    # conversation (app/services/content/listing_cache.py), so the grown one is counted and sorted afresh.
    db.session.execute(sa.update(Conversation).where(Conversation.id == conversation.id)
                       .values(live_seq=Conversation.live_seq + 1))
    db.session.commit()


@pytest.fixture
def app(database_url):  # type: ignore[no-untyped-def]
    """The test app with the posting limit on, as in production: the limiter's lookups count against the budget."""
    from tests.conftest import running_app

    with running_app(database_url, RATELIMIT_ENABLED=True, RATELIMIT_POST="100000 per minute") as app:
        yield app


@pytest.fixture
def world(app, client, make_user, make_conversation, login):  # type: ignore[no-untyped-def]
    """A conversation with one idea, a voter's API token, and a way to grow it (and a neighbour) later."""
    conversation, neighbour = make_conversation(), make_conversation(title="Another conversation")
    ids = Ids(conversation.id, conversation.questions[0].id, neighbour.id)
    user = make_user()
    token = create_api_token(user)
    login(user)  # pages and the live poll use the session cookie; API calls go through a client without one
    api_client = app.test_client()

    def call(method: str, path: str, **kwargs: object):  # type: ignore[no-untyped-def]
        """An API call with the bearer token, or a page with the session cookie (paths not under /api)."""
        db.session.remove()  # nothing cached from setting up: count what a fresh request does
        api = not path.startswith("/page/")
        url = "/api/v1" + path if api else path[len("/page"):]
        headers = {"Authorization": f"Bearer {token}"} if api else {}
        with statements() as seen:
            response = getattr(api_client if api else client, method)(url, headers=headers, **kwargs)
        assert response.status_code < 300, response.get_data(as_text=True)[:300]
        return response, Statements(seen)

    first = call("post", f"/questions/{ids.question}/ideas", json={"body": "Lockers for night staff"})[0].json["id"]

    def grow() -> None:
        _grow(db.session.get(Conversation, ids.conversation), 300, 10, 2)
        _grow(db.session.get(Conversation, ids.neighbour), 100, 30, 1)

    return ids, first, call, grow


def _same_when_grown(world, request: Callable[[], tuple], *, warm: bool = False) -> int:  # type: ignore[no-untyped-def]
    _, _, _, grow = world
    if warm:  # a write: first fill what a worker remembers between writes (where an item lives, the rate-limit key)
        request()
    _, small = request()
    grow()
    _, large = request()
    assert small == large, f"small conversation: {small!r}\nlarge one: {large!r}"
    return large


def _within(count: Statements, budget: int) -> None:
    assert len(count) <= budget, f"over the budget of {budget}: {count!r}"


def _conversation_row_locked_last() -> None:
    """A write locks the conversation row (to number its live event) only in its last statements before COMMIT.

    Anything earlier would make every write to the conversation wait for the one before it to finish all its work
    (issue #17 item 1: 200 clients queued on that row until the pool ran out).
    """
    log = COMMITS["log"]
    # PostgreSQL numbers and stores the event in one statement (WITH numbered AS (UPDATE conversation ...) INSERT ...).
    touching = [n for n, s in enumerate(log) if s.startswith(("UPDATE conversation", "WITH numbered AS (UPDATE conversation"))]
    assert touching, "the write numbered no live event"
    commit = log.index("COMMIT", touching[0])
    after = [s for s in log[touching[0] + 1:commit] if not s.startswith("INSERT INTO live_event")]
    assert after == [], f"statements run while the conversation row was locked: {after}"
    if BACKEND == "postgresql":  # numbered, stored (and pruned) by the one statement that goes with COMMIT
        assert commit == touching[0] + 1 and len(touching) == 1, log


def test_vote_budget(world):  # type: ignore[no-untyped-def]
    _, idea, call, _ = world
    choices = itertools.cycle(["support"])

    def vote():  # type: ignore[no-untyped-def]
        response, count = call("put", f"/ideas/{idea}/vote", json={"choice": next(choices)})
        assert response.json == {"id": idea, "votes": {"support": 1}, "votes_hidden": False, "my_vote": "support"}
        return response, count

    _within(_same_when_grown(world, vote, warm=True), VOTE)
    _conversation_row_locked_last()


def test_withdraw_vote_budget(world):  # type: ignore[no-untyped-def]
    _, idea, call, _ = world

    def withdraw():  # type: ignore[no-untyped-def]
        call("put", f"/ideas/{idea}/vote", json={"choice": "support"})
        response, count = call("delete", f"/ideas/{idea}/vote")
        assert response.json["votes"] == {"support": 0} and response.json["my_vote"] is None
        return response, count

    _within(_same_when_grown(world, withdraw, warm=True), WITHDRAW)
    _conversation_row_locked_last()


def test_comment_budget(world):  # type: ignore[no-untyped-def]
    _, idea, call, _ = world
    _within(_same_when_grown(world, lambda: call("post", f"/ideas/{idea}/comments",
                                                json={"body": f"Yes please {next(_counter)}"}), warm=True), COMMENT)
    _conversation_row_locked_last()


def test_post_idea_budget(world):  # type: ignore[no-untyped-def]
    ids, _, call, _ = world
    question_id = ids.question
    _within(_same_when_grown(world, lambda: call("post", f"/questions/{question_id}/ideas",
                                                json={"body": f"Water fountains on floor {next(_counter)}"}), warm=True),
            POST_IDEA)
    _conversation_row_locked_last()


@pytest.mark.parametrize("sort", ["random", "newest", "supported", "discussed"])
def test_idea_list_budget(world, sort):  # type: ignore[no-untyped-def]
    ids, _, call, _ = world
    question_id = ids.question
    _within(_same_when_grown(world, lambda: call("get", f"/questions/{question_id}/ideas?sort={sort}")), IDEA_LIST)


def test_live_poll_budget(world):  # type: ignore[no-untyped-def]
    """The plain poll a browser falls back to without streams: events after a cursor."""
    ids, _, call, _ = world
    _within(_same_when_grown(world, lambda: call("get", f"/page/conversations/{ids.conversation}/live/events?after=0")),
            LIVE_POLL)


def test_api_live_state_budget(world):  # type: ignore[no-untyped-def]
    """What a live client polls through the API: the board's state and the events after a cursor."""
    ids, _, call, _ = world
    _within(_same_when_grown(world, lambda: call("get", f"/conversations/{ids.conversation}/live?after=0")), API_LIVE)


def test_conversation_page_budget(world):  # type: ignore[no-untyped-def]
    ids, _, call, _ = world
    _within(_same_when_grown(world, lambda: call("get", f"/page/conversations/{ids.conversation}")), PAGE)


@pytest.mark.parametrize("sort", ["random", "newest", "supported", "discussed"])
def test_question_page_budget(world, sort):  # type: ignore[no-untyped-def]
    """The page of a question's ideas (20 of them, with counts), as a browser gets it."""
    ids, _, call, _ = world
    _within(_same_when_grown(world, lambda: call("get", f"/page/questions/{ids.question}?sort={sort}")), QUESTION_PAGE)
