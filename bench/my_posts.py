""""My ideas and comments" at 6,000 (and more) ideas: the two earlier ways against author slots, same run.

* full rows: every idea as a full card row, then one author tag per idea (before 2026-12-06);
* tag per idea: (id, nonce, author tag) of every idea, one HMAC each (2026-12-06 to 2026-12-07);
* slots: my_posts as it is now (the person's slot tags looked up: issue #18).

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


def _tag_per_idea(participant, conversation_id: int) -> int:  # type: ignore[no-untyped-def]
    """The code before author slots: (id, nonce, author tag) of every idea, one author tag tested per idea."""
    from app.crypto import author_tagger
    from app.extensions import db
    from app.models import ContentStatus, Conversation, Idea
    from app.services.common.keys import conversation_key

    key = conversation_key(db.session.get(Conversation, conversation_id))
    tag_for = author_tagger(key, participant.user_key)
    rows = db.session.execute(sa.select(Idea.id, Idea.nonce, Idea.author_tag).where(
        Idea.conversation_id == conversation_id, Idea.status != ContentStatus.WITHDRAWN))
    return len([item_id for item_id, nonce, tag in rows if tag_for(nonce) == tag])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="6000,30000")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    ways = {"full rows": _old, "tag per idea": _tag_per_idea, "slots": None}
    print(f"{'ideas':>7} " + " ".join(f"{name + ' ms':>15}" for name in ways) + f" {'own ideas':>9}")
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
                timings: dict[str, list[float]] = {name: [] for name in ways}
                found: dict[str, int] = {}
                for _ in range(args.rounds):
                    for name, way in ways.items():
                        db.session.remove()
                        started = time.perf_counter()
                        found[name] = way(me, conversation_id) if way else len(my_posts(me, conversation_id).ideas)
                        timings[name].append((time.perf_counter() - started) * 1000)
                assert len(set(found.values())) == 1, f"the ways disagree: {found}"
                print(f"{size:>7} " + " ".join(f"{statistics.median(timings[name]):>15.1f}" for name in ways)
                      + f" {found['slots']:>9}")
                db.session.remove()


if __name__ == "__main__":
    main()
