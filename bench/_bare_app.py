"""The baseline for bench/http_load.py (and http_pages.py): a bare Flask app doing the same writes as a vote and a
comment (and a trivial page of 20 ideas), nothing else.

One INSERT ... ON CONFLICT per request through SQLAlchemy and psycopg (the same driver and pool as Chorus), served by
the same gunicorn settings. Run by bench/http_load.py as `gunicorn -c gunicorn.conf.py bench._bare_app:app`.
"""

from __future__ import annotations

import os

import sqlalchemy as sa
from flask import Flask, jsonify, render_template_string, request

app = Flask(__name__)
engine = sa.create_engine(os.environ["BARE_DATABASE_URL"], pool_pre_ping=True)


PAGE = """<!DOCTYPE html><html lang="en"><head><title>Ideas</title></head><body><main><h1>Ideas</h1>
<ul>{% for id, body in rows %}<li id="idea-{{ id }}"><p>{{ body }}</p><a href="/ideas/{{ id }}">Comments</a></li>{% endfor %}</ul>
</main></body></html>"""


@app.get("/bare/questions/<int:question_id>/ideas")
def ideas(question_id: int):  # type: ignore[no-untyped-def]
    """bench/http_pages.py's baseline: one SELECT of 20 ideas rendered through Jinja, nothing else."""
    with engine.connect() as connection:
        rows = connection.execute(sa.text(
            "SELECT id, body FROM idea WHERE question_id = :q ORDER BY id LIMIT 20"), {"q": question_id}).all()
    return render_template_string(PAGE, rows=rows)


@app.put("/api/v1/ideas/<idea_id>/vote")
def vote(idea_id: str):  # type: ignore[no-untyped-def]
    voter = request.headers.get("Authorization", "")[7:]
    with engine.begin() as connection:
        connection.execute(sa.text(
            "INSERT INTO bare_vote (idea_id, voter, value) VALUES (:i, :v, 1) "
            "ON CONFLICT (idea_id, voter) DO UPDATE SET value = excluded.value"), {"i": idea_id, "v": voter})
        count = connection.scalar(sa.text("SELECT count(*) FROM bare_vote WHERE idea_id = :i"), {"i": idea_id})
    return jsonify(id=idea_id, votes={"support": count}, my_vote="support")


@app.post("/api/v1/ideas/<idea_id>/comments")
def comment(idea_id: str):  # type: ignore[no-untyped-def]
    data = request.get_json()
    with engine.begin() as connection:
        new_id = connection.scalar(sa.text(
            "INSERT INTO bare_comment (token, idea_id, body) VALUES (:t, :i, :b) "
            "ON CONFLICT (token) DO NOTHING RETURNING id"),
            {"t": request.headers.get("Idempotency-Key"), "i": idea_id, "b": data["body"]})
    return jsonify(id=str(new_id), body=data["body"]), 201
