"""The baseline for bench/http_load.py: a bare Flask app doing the same writes as a vote and a comment, nothing else.

One INSERT ... ON CONFLICT per request through SQLAlchemy and psycopg (the same driver and pool as Chorus), served by
the same gunicorn settings. Run by bench/http_load.py as `gunicorn -c gunicorn.conf.py bench._bare_app:app`.
"""

from __future__ import annotations

import os

import sqlalchemy as sa
from flask import Flask, jsonify, request

app = Flask(__name__)
engine = sa.create_engine(os.environ["BARE_DATABASE_URL"], pool_pre_ping=True)


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
