"""Rule A7 (and A5 for logs): what someone holding the logs sees after a real session.

A scripted session (ideas, comments, votes, a double-submit, a route that fails on purpose, a theme run)
goes through the app with every logger Chorus configures writing through the handlers production installs,
at debug level. gunicorn's logger is the class gunicorn.conf.py ships, fed a request as gunicorn would;
the RQ worker is `flask worker --burst` on real Redis. None of them may print a content id, a user id,
an email, a user key, a client address, or a time finer than the hour.
"""

from __future__ import annotations

import importlib.util
import io
import logging
import re
import sys
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.logs import captured
from app.models import Comment, Idea, User
from app.services.content import ideas

ROOT = Path(__file__).resolve().parents[2]
ADDRESS = "10.61.203.7"  # the client address every request of the session comes from
CLOCK = re.compile(r"\d{1,2}:\d{2}")  # any time of day finer than the hour (12:19, 12:19:13, 12:19:13,456)
TEXTS = ["Free staff parking for night shift workers", "Hot food in the canteen after midnight",
         "Rest rooms with proper chairs for breaks", "Rotas published six weeks ahead",
         "Free staff parking near the main entrance", "Hot meals for the night shift team"]


def _assert_private(text: str, secrets: list[str], user_ids: list[int]) -> None:
    """No secret anywhere, no user id as a word of a message line, no clock time."""
    for secret in secrets:
        assert secret not in text, f"{secret!r} is in the log:\n{text}"
    message_lines = [line for line in text.splitlines() if line and not line[0].isspace()]
    words = {word for line in message_lines for word in re.split(r"[\s/=:,()\[\]'\"]+", line)}
    for user_id in user_ids:
        assert str(user_id) not in words, f"user id {user_id} is in the log:\n{text}"
    assert not CLOCK.search(text), f"a time finer than the hour is in the log:\n{text}"


def _post_form(client, path: str, token: str, **fields: str):  # type: ignore[no-untyped-def]
    return client.post(path, data={"csrf_token": token, **fields})


def test_a_session_leaves_no_who_and_no_what_in_the_app_logs(app, client, make_user, make_conversation, login,
                                                           as_participant) -> None:  # type: ignore[no-untyped-def]
    def explode(idea_id: str):  # type: ignore[no-untyped-def]
        raise RuntimeError(f"could not process idea {idea_id} for {user.email} ({user.user_key})")

    app.add_url_rule("/ideas/<idea_id>/explode", "explode", explode, methods=["POST"])
    conversation = make_conversation()
    question = conversation.questions[0]
    user, other = make_user(), make_user()
    for text in TEXTS:  # enough ideas for a theme run
        ideas.post_idea(as_participant(other), question.id, text)
    client.environ_base["REMOTE_ADDR"] = ADDRESS  # for the whole session: sign-in is bound to the address
    stream = io.StringIO()
    with captured(app, stream, "DEBUG"):
        token = login(user)
        posted = _post_form(client, f"/questions/{question.id}/ideas", token, body="Lockers for agency staff please",
                            client_token="double-submit-token", similar_checked="1")
        again = _post_form(client, f"/questions/{question.id}/ideas", token, body="Lockers for agency staff please",
                           client_token="double-submit-token", similar_checked="1")
        idea_id = posted.headers["Location"].rsplit("/", 1)[-1]
        assert again.headers["Location"] == posted.headers["Location"]  # one idea for the double-submit
        for _ in range(2):
            _post_form(client, f"/ideas/{idea_id}/comments", token, body="Yes, and for bank staff",
                       client_token="comment-token")
            _post_form(client, f"/ideas/{idea_id}/vote", token, choice="support")
        client.get(f"/ideas/{idea_id}")
        assert _post_form(client, f"/ideas/{idea_id}/explode", token).status_code == 500
        with app.test_request_context(f"/ideas/{idea_id}/comments", method="POST"):
            try:  # Flask's own error log, used when even the error handler fails
                raise RuntimeError(f"{idea_id} by {user.email}")
            except RuntimeError:
                app.log_exception(sys.exc_info())
        # What the development server logs for each request, and for a request it could not handle.
        logging.getLogger("werkzeug").info('%s - - [06/Dec/2026 12:19:13] "%s" %s -', ADDRESS,
                                           f"POST /ideas/{idea_id}/comments HTTP/1.1", 302)
        logging.getLogger("werkzeug").error("Error on request %s from %s", f"/ideas/{idea_id}/comments", ADDRESS)
        from app.services.themes import runs

        runs.request_theme_run(conversation.id)  # runs inline here and logs what it did
    text = stream.getvalue()
    assert "POST /questions/<int:question_id>/ideas 302" in text  # the access log is there, by route
    assert "Exception on /ideas/<idea_id>/comments [POST]" in text and "RuntimeError" in text
    comment_ids = list(db.session.scalars(sa.select(Comment.id)))
    idea_ids = list(db.session.scalars(sa.select(Idea.id)))
    tags = list(db.session.scalars(sa.select(Idea.author_tag))) + list(db.session.scalars(sa.select(Comment.author_tag)))
    users = list(db.session.scalars(sa.select(User)))
    assert len(comment_ids) == 1
    _assert_private(text, [*idea_ids, *comment_ids, *tags, *(u.email for u in users), *(u.user_key for u in users),
                           ADDRESS, "127.0.0.1", "Lockers for agency"], [u.id for u in users])


def test_a_double_submit_raises_no_constraint_error_in_the_database(app, client, make_user, make_conversation,
                                                                    login, as_participant) -> None:  # type: ignore[no-untyped-def]
    """PostgreSQL writes every constraint violation to its server log with the key and a millisecond time."""
    from app.services.moderation import reports

    question = make_conversation().questions[0]
    token = login(make_user())
    reporter = make_user()
    statements: list[str] = []
    errors: list[BaseException] = []

    def before(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        statements.append(statement)

    def failed(context):  # type: ignore[no-untyped-def]
        errors.append(context.original_exception)

    sa.event.listen(db.engine, "before_cursor_execute", before)
    sa.event.listen(db.engine, "handle_error", failed)
    try:
        for _ in range(2):
            posted = _post_form(client, f"/questions/{question.id}/ideas", token, body="Water fountains on every ward",
                                client_token="same-form", similar_checked="1")
        idea_id = posted.headers["Location"].rsplit("/", 1)[-1]
        for _ in range(2):
            _post_form(client, f"/ideas/{idea_id}/comments", token, body="And cups", client_token="same-comment")
            _post_form(client, f"/ideas/{idea_id}/vote", token, choice="support")
        reported = [reports.report_item(as_participant(reporter), "idea", idea_id, "other", "Names a colleague")
                    for _ in range(2)]
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", before)
        sa.event.remove(db.engine, "handle_error", failed)
    assert errors == [] and reported == [True, False]
    # A vote's upsert is a WITH in front of the idea's counts on PostgreSQL (content/voting.py).
    inserts = [s for s in statements
               if re.match(r"\s*(WITH \w+ AS\s*\(\s*)?INSERT INTO \"?(idea|comment|vote|content_report)\"? ", s, re.I)]
    assert len(inserts) == 8 and all("ON CONFLICT" in s.upper() for s in inserts), inserts
    assert not any("ROLLBACK TO SAVEPOINT" in s.upper() for s in statements)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Idea)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Comment)) == 1


def _gunicorn_settings() -> dict:
    spec = importlib.util.spec_from_file_location("chorus_gunicorn_conf", ROOT / "gunicorn.conf.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return vars(module)


def test_gunicorn_at_debug_level_logs_route_patterns_only(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The shipped logger class and hooks, at the documented LOG_LEVEL=debug, with the access log turned on."""
    from gunicorn.config import Config

    monkeypatch.setenv("LOG_LEVEL", "debug")
    cfg = Config()
    for name, value in _gunicorn_settings().items():
        if name in cfg.settings:
            cfg.set(name, value)
    cfg.set("accesslog", "-")  # an operator may turn it on; it must stay private too
    logger = cfg.logger_class(cfg)
    stream = io.StringIO()
    for handler in logger.error_log.handlers + logger.access_log.handlers:
        handler.setStream(stream)  # type: ignore[attr-defined]
    idea_id, email = "Zq3vRk8LmN2pXw5yTb7cHd", "nurse@trust.nhs.uk"
    path = f"/ideas/{idea_id}/comments"
    request = SimpleNamespace(method="POST", path=path, uri=path, query="", version=(1, 1),
                              headers=[("USER-AGENT", "Mozilla/5.0"), ("REFERER", f"https://chorus.example{path}")])
    environ = {"REMOTE_ADDR": ADDRESS, "PATH_INFO": path, "RAW_URI": path, "REQUEST_METHOD": "POST", "SERVER_PROTOCOL": "HTTP/1.1",
               "QUERY_STRING": "", "HTTP_REFERER": f"https://chorus.example{path}",
               "chorus.route": "/ideas/<idea_id>/comments"}
    response = SimpleNamespace(status="302 FOUND", status_code=302, sent=0, headers=[])
    worker = SimpleNamespace(log=logger)
    try:
        cfg.pre_request(worker, request)
        logger.debug("%s %s", request.method, request.path)
        logger.warning(f"Invalid request from ip={ADDRESS}: Invalid HTTP method")
        try:
            raise RuntimeError(f"{idea_id} for {email}")
        except RuntimeError:
            logger.exception("Error handling request %s %s", request.method, request.uri)
        logger.access(response, request, environ, timedelta(milliseconds=250))
        text = stream.getvalue()
    finally:
        for handler in logger.error_log.handlers + logger.access_log.handlers:
            handler.close()
        logger.error_log.handlers.clear()
        logger.access_log.handlers.clear()
    assert "POST /ideas/<idea_id>/comments 302 250ms" in text
    _assert_private(text, [idea_id, email, ADDRESS, path], [])


@pytest.fixture
def fake_embeddings(app, monkeypatch):  # type: ignore[no-untyped-def]
    """Embeddings switched on with a stand-in for MiniLM, so posting queues embedding jobs."""
    import numpy as np

    import nlp.represent

    monkeypatch.setattr(nlp.represent, "embeddings_available", lambda: True)
    monkeypatch.setattr(nlp.represent, "embed_many", lambda texts: np.ones((len(texts), 8), dtype=np.float32))
    app.config["CHORUS_THEMES_BACKEND"] = "minilm"


def test_the_rq_worker_logs_no_idea_id_and_no_time(app, redis_url, fake_embeddings, make_user, make_conversation,
                                                   as_participant) -> None:  # type: ignore[no-untyped-def]
    from redis import Redis

    from app.jobs import queue, queue_name
    from app.models import IdeaVector

    conversation = make_conversation()
    conversation_id, question_id = conversation.id, conversation.questions[0].id
    person = as_participant(make_user())
    app.config.update(CHORUS_JOBS="rq", REDIS_URL=redis_url)
    jobs = queue(redis_url)
    jobs.empty()
    Redis.from_url(redis_url).delete(*Redis.from_url(redis_url).keys(f"{queue_name()}:waiting:*") or ["none"])
    posted = [ideas.post_idea(person, question_id, text)[0].id for text in TEXTS]
    # Many posts make one job, and its payload and description name the conversation only.
    assert jobs.count == 1 and jobs.jobs[0].args == ("ideas.embed", conversation_id)
    stored = Redis.from_url(redis_url)
    raw = b" ".join(v for key in stored.keys("rq:job:*") for v in stored.hgetall(key).values())
    assert not any(idea_id.encode() in raw for idea_id in posted)
    stream = io.StringIO()
    with captured(app, stream, "DEBUG"):
        result = app.test_cli_runner().invoke(args=["worker", "--burst"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(IdeaVector)) == len(TEXTS)
    _assert_private(stream.getvalue() + result.output, posted, [])
    # After the job started, a new post queues a new job (the first may have read its list already).
    ideas.post_idea(person, question_id, "Quiet room on every floor for breaks")
    assert jobs.count == 1
    jobs.empty()
