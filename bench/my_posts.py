""""My ideas and comments" at 6,000 (and more) ideas: the old per-idea full-row check against the new one, same run.

    .venv/bin/python bench/my_posts.py --sizes 6000,30000 --rounds 5
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _bigconv import app_for, build  # noqa: E402


def _old(participant, conversation_id: int) -> int:  # type: ignore[no-untyped-def]
    """The code before this change: every idea as a full card row, then one author tag per idea."""
    from app.extensions import db
    from app.models import ContentStatus, Conversation, Idea
    from app.services.common.keys import conversation_key
    from app.services.content.authorship import is_author
    from app.services.content.listing import _card_query

    conversation = db.session.get(Conversation, conversation_id)
    key = conversation_key(conversation)
    query, _, _ = _card_query()
    rows = db.session.execute(query.where(Idea.conversation_id == conversation.id,
                                          Idea.status != ContentStatus.WITHDRAWN)).all()
    return len([row for row in rows if is_author(participant, key, row[0])])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="6000,30000")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    print(f"{'ideas':>7} {'old ms (median)':>16} {'new ms (median)':>16} {'own ideas':>9}")
    with tempfile.TemporaryDirectory() as folder:
        for size in (int(s) for s in args.sizes.split(",")):
            path = Path(folder) / f"my-{size}.sqlite"
            me = build(path, size)
            app = app_for(path)
            with app.app_context():
                from app.extensions import db
                from app.models import Conversation
                from app.services.content.listing import my_posts

                conversation_id = db.session.scalar(sa.select(Conversation.id))
                timings: dict[str, list[float]] = {"old": [], "new": []}
                found = 0
                for _ in range(args.rounds):
                    for name in ("old", "new"):
                        db.session.remove()
                        started = time.perf_counter()
                        if name == "old":
                            _old(me, conversation_id)
                        else:
                            found = len(my_posts(me, conversation_id).ideas)
                        timings[name].append((time.perf_counter() - started) * 1000)
                old, new = statistics.median(timings["old"]), statistics.median(timings["new"])
                print(f"{size:>7} {old:>16.0f} {new:>16.0f} {found:>9}")
                db.session.remove()


if __name__ == "__main__":
    main()
