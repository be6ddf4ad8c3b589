"""Author slots (docs/anonymity.md, "My ideas and comments"): a person's own items are found by their slot tags.

Attacks: read the SQL a post and "My ideas" send, as `pg_stat_activity` and `pg_stat_statements` show it; diff two
dumps around a post; look for anything one person's items share in a dump.
"""

from __future__ import annotations

import sqlalchemy as sa

from app.crypto import author_slots
from app.extensions import db
from app.services.common.keys import conversation_key
from app.services.content import comments, ideas
from app.services.content.listing import my_posts
from tests.anonymity.dumps import added_rows, changed_tables, dump


def _statements_during(action) -> list[tuple[str, object]]:  # type: ignore[no-untyped-def]
    sent: list[tuple[str, object]] = []

    def record(_conn, _cursor, statement, parameters, _context, _many):  # type: ignore[no-untyped-def]
        sent.append((statement, parameters))

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        action()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
    return sent


def test_slot_tags_travel_as_bind_values_never_in_the_sql_text(make_user, make_conversation, as_participant):
    """The text of a statement is what pg_stat_activity and pg_stat_statements keep; it must hold no slot tag."""
    conversation = make_conversation()
    me = as_participant(make_user())
    question = conversation.questions[0].id
    key = conversation_key(conversation)
    mine = {author_slots(key, me.user_key, kind)(n) for kind in ("idea", "comment") for n in range(64)}

    def write_and_read() -> None:
        idea, _ = ideas.post_idea(me, question, "Somewhere to dry wet coats on the ward")
        comments.add_comment(me, idea.id, "And a bench by the door")
        my_posts(me, conversation.id)

    sent = _statements_during(write_and_read)
    texts = " ".join(statement for statement, _ in sent)
    values = repr([parameters for _, parameters in sent])
    assert not [tag for tag in mine if tag in texts]
    assert [tag for tag in mine if tag in values], "the lookups use the person's slot tags (as bind values)"


def test_a_post_writes_its_own_row_only_and_one_persons_items_share_nothing(make_user, make_conversation,
                                                                           as_participant):
    conversation = make_conversation()
    me, other = as_participant(make_user()), as_participant(make_user())
    question = conversation.questions[0].id
    for n in range(3):
        ideas.post_idea(other, question, f"Someone else's idea {n} about the rota")
    first, _ = ideas.post_idea(me, question, "A locker for every night-shift nurse")
    before = dump()
    second, _ = ideas.post_idea(me, question, "Hot food after midnight in the canteen")
    after = dump()

    # A1: the post added its own row and nothing else (no counter of the person's items anywhere).
    assert set(changed_tables(before, after)) <= {"idea", "live_event", "conversation"}
    assert [row["id"] for row in added_rows(before, after, "idea")] == [second.id]
    # The person's two items share no value a dump shows, beyond what every item of the conversation shares.
    rows = {row["id"]: row for row in after["idea"]}
    common = {name for name in rows[first.id] if len({str(row[name]) for row in rows.values()}) == 1}
    for name in set(rows[first.id]) - common - {"created_hour", "status", "edited", "source", "stage", "queued"}:
        if rows[first.id][name] is None and rows[second.id][name] is None:
            continue
        assert rows[first.id][name] != rows[second.id][name], name
    # Slot tags are unique, and none is any other value of the dump (an author tag, nonce or voter pseudonym).
    slots = [row["slot_tag"] for row in after["idea"]]
    assert len(set(slots)) == len(slots)
    others = {str(value) for table, table_rows in after.items() for row in table_rows
              for name, value in row.items() if name != "slot_tag"}
    assert not set(slots) & others
