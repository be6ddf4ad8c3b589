"""Issue #15 costs on a big conversation: an author's Speak Up threads on "My ideas and comments" (found by
recomputing tags), the Guardian's queue, and the outreach monitor (batch read plus baseline).

    .venv/bin/python bench/speak_up.py --ideas 30000 --sent 3000 --rounds 5
"""

from __future__ import annotations

import argparse
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

# The repository root, not bench/ (whose http.py would shadow the standard library's http package).
sys.path[0] = str(Path(__file__).resolve().parent.parent)

from bench._bigconv import app_for, build  # noqa: E402


def _median_ms(action, rounds: int) -> float:  # type: ignore[no-untyped-def]
    from app.extensions import db

    timings = []
    for _ in range(rounds):
        db.session.remove()
        started = time.perf_counter()
        action()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ideas", type=int, default=30000)
    parser.add_argument("--sent", type=int, default=3000, help="ideas sent to the Guardian (the author's own included)")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "speak-up.sqlite"
        me = build(path, args.ideas)
        app = app_for(path)
        with app.app_context():
            from app.extensions import db
            from app.models import Conversation, Idea, Membership, SpeakUpThread, User
            from app.services.conversations.participation_batch import refresh_snapshot
            from app.services.outreach import baseline
            from app.services.outreach.monitor import outreach_figures
            from app.services.speakup import guardian, threads

            conversation = db.session.scalar(sa.select(Conversation))
            ids = list(db.session.scalars(sa.select(Idea.id).order_by(Idea.id)))
            from app.services.content.listing import my_posts
            own = {card.idea.id for card in my_posts(me, conversation.id).ideas}  # the author's 25 ideas, all sent
            sent = list(own) + [i for i in ids if i not in own][: max(0, args.sent - len(own))]
            db.session.execute(sa.insert(SpeakUpThread), [
                {"id": secrets.token_urlsafe(16), "conversation_id": conversation.id, "idea_id": i,
                 "status": "open", "guardian_unread": True, "replies": 0} for i in sent])
            membership = db.session.scalar(sa.select(Membership).join(User).where(User.user_key == me.user_key))
            membership.speak_up_guardian = True
            db.session.commit()
            org = frozenset({conversation.organisation_id})
            found = len(threads.my_threads(me, db.session.get(Conversation, conversation.id)))
            mine_ms = _median_ms(lambda: threads.my_threads(me, db.session.get(Conversation, conversation.id)),
                                 args.rounds)
            queue_ms = _median_ms(lambda: guardian.queue(org), args.rounds)
            refresh_snapshot(conversation.id)
            baseline.sync_from_people(org, conversation.organisation_id)
            monitor_ms = _median_ms(lambda: outreach_figures(db.session.get(Conversation, conversation.id)),
                                    args.rounds)
        print(f"ideas={args.ideas} threads={len(sent)} rounds={args.rounds} (SQLite file, median)")
        print(f"author's threads on My ideas (recompute {len(sent)} tags): {mine_ms:8.1f} ms, found {found}")
        print(f"Guardian queue (first 50 of {len(sent)}):              {queue_ms:8.1f} ms")
        print(f"outreach monitor (snapshot + baseline):            {monitor_ms:8.1f} ms")


if __name__ == "__main__":
    main()
