"""How long a write holds its conversation's row: the numbering statement and COMMIT sent in one pipeline (issue #18).

Seeds one open conversation (bench/http_load.py's `prepare`), casts votes one after another through the service in
this process (no gevent, no HTTP), and times app/live/numbering.py's pipeline from send to answer: at most the time
the conversation row stays locked (the server's numbering, storing and COMMIT with its WAL flush). Prints median,
p95 and mean; the first 50 are not counted.

    .venv/bin/python bench/commit_hold.py --votes 1000 \
        --postgresql postgresql+psycopg://postgres@127.0.0.1:5432/chorus_bench_hold
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.http_load import prepare  # noqa: E402
from bench.live import PSEUDONYM, SECRET, fresh_postgresql  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--votes", type=int, default=1000)
    parser.add_argument("--postgresql", metavar="URL", default="postgresql+psycopg://postgres@127.0.0.1:5432/chorus_bench_hold",
                        help="a scratch PostgreSQL database of its own (emptied!)")
    args = parser.parse_args()

    import sqlalchemy as sa

    import app.live.numbering as numbering
    from app import create_app
    from app.extensions import db
    from app.models import User
    from app.services.common.participants import Participant
    from app.services.content import voting

    fresh_postgresql(args.postgresql)
    with tempfile.TemporaryDirectory() as tmp:
        info = prepare(args.postgresql, 100, f"{tmp}/keys")
        app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": args.postgresql, "SECRET_KEY": SECRET,
                          "CHORUS_PSEUDONYM_KEY": PSEUDONYM, "CHORUS_KEY_DIR": f"{tmp}/keys"})
        times: list[float] = []
        send = numbering._send

        def timed(raw, statements):  # type: ignore[no-untyped-def]
            started = time.perf_counter()
            try:
                return send(raw, statements)
            finally:
                times.append(time.perf_counter() - started)

        numbering._send = timed  # type: ignore[assignment]
        with app.app_context():
            people = [Participant.from_user(u) for u in db.session.scalars(sa.select(User).order_by(User.id))]
            for n in range(args.votes):
                voting.cast_vote(people[n % len(people)], info["ideas"][n % len(info["ideas"])], "support")
            db.session.remove()
            db.engine.dispose()
    counted = sorted(times[50:])
    print(f"{len(counted)} votes: numbering statement + COMMIT, send to answer: median "
          f"{statistics.median(counted) * 1000:.2f} ms, p95 {counted[int(len(counted) * 0.95)] * 1000:.2f} ms, "
          f"mean {statistics.mean(counted) * 1000:.2f} ms")


if __name__ == "__main__":
    main()
