"""Time the hourly participation batch (app/services/conversations/participation_batch.py) on a synthetic conversation.

Its cost is one voter pseudonym per audience member plus, for members who never voted, up to one author tag
per idea or comment: people x items HMACs at worst. Run: .venv/bin/python bench/participation.py --people 2000
"""

from __future__ import annotations

import argparse
from collections import Counter
import random
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app import create_app  # noqa: E402
from app.crypto import author_slots, author_tag, new_nonce, voter_pseudonym  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import Idea, Membership, User, Vote  # noqa: E402
from app.models.base import utcnow  # noqa: E402
from app.services.conversations import lifecycle
from app.services.accounts import organisations
from app.services.common.keys import conversation_key  # noqa: E402
from app.services.conversations.participation_batch import count_people, refresh_snapshot  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=2000, help="audience size")
    parser.add_argument("--items", type=int, default=2000, help="ideas posted")
    parser.add_argument("--voters", type=float, default=0.3, help="share of the audience who vote")
    parser.add_argument("--authors", type=float, default=0.2, help="share of the audience who post (and may not vote)")
    parser.add_argument("--before-slots", action="store_true",
                        help="items as written before author slots (no slot tag): matched by testing author tags")
    args = parser.parse_args()
    rng = random.Random(0)
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "CHORUS_JOBS": "inline"})
    with app.app_context():
        db.create_all()
        org = organisations.create_organisation("Bench Trust", "B001")
        group = organisations.add_staff_group(org, "Nursing")
        users = [User(email=f"p{n}@bench.nhs.uk", display_name="") for n in range(args.people)]
        db.session.add_all(users)
        db.session.flush()
        db.session.add_all(Membership(user_id=u.id, organisation_id=org.id, staff_group_id=getattr(group, "id", None))
                           for u in users)
        conversation = lifecycle.create_conversation(org.id, lifecycle.ConversationDetails(
            title="Bench", audience_ids=[org.id], questions=["What would help?"], closes_at=utcnow() + timedelta(days=7)))
        lifecycle.open_conversation(conversation)
        key = conversation_key(conversation)
        authors = rng.sample(users, int(args.people * args.authors))
        written: Counter[str] = Counter()  # each author's next slot, as post_idea takes them
        for n in range(args.items):
            nonce = new_nonce(key)
            author = rng.choice(authors).user_key
            slot = None if args.before_slots else author_slots(key, author, "idea")(written[author])
            written[author] += 1
            db.session.add(Idea(conversation_id=conversation.id, question_id=conversation.questions[0].id,
                                body=f"Idea {n}", nonce=nonce, author_tag=author_tag(key, author, nonce), slot_tag=slot))
        db.session.flush()
        first = db.session.scalars(db.select(Idea.id).limit(1)).first()
        db.session.add_all(Vote(idea_id=first, voter=voter_pseudonym(key, u.user_key), conversation_id=conversation.id, value=1)
                           for u in rng.sample(users, int(args.people * args.voters)))
        db.session.commit()
        start = time.perf_counter()
        by_org, _ = count_people(conversation, key)
        counted = time.perf_counter() - start
        start = time.perf_counter()
        refresh_snapshot(conversation.id)
        whole = time.perf_counter() - start
        print(f"{'before slots' if args.before_slots else 'author slots'}: "
              f"people={args.people} items={args.items} voters={args.voters:.0%} authors={args.authors:.0%}: "
              f"{sum(by_org.values())} took part; counting {counted:.2f}s, whole batch {whole:.2f}s")


if __name__ == "__main__":
    main()
