"""Writing and recognising anonymous content: author tags, idempotent inserts and ownership checks."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar, cast

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from app.crypto import author_slots, author_tag, author_tagger, new_nonce
from app.extensions import db
from app.models import Comment, Conversation, Idea
from app.services.common.errors import Busy, NotFound
from app.services.common.keys import conversation_key
from app.services.common.participants import Participant

Content = TypeVar("Content", Idea, Comment)
_KIND: dict[type, str] = {Idea: "idea", Comment: "comment"}


# Slots offered to one INSERT: the first free one is taken. A person with more items than this in one conversation
# costs one or two lookups more per post (_first_free), however many items they have.
SLOTS = 16
# A post's INSERT finding its slot taken by the same person's post written at that moment: try again this often.
_ATTEMPTS = 8
# Slots probed per lookup while doubling: up to 16 x 2^11 (32,768) slots past the last known held one in one lookup.
_GALLOP = 12


def stamp(item: Content, conversation: Conversation, participant: Participant,
          client_token: str | None) -> Callable[[int], str]:
    """Give a new item its nonce and author tag (and a name only in named-mode conversations); return the author's
    slot tags (app.crypto.author_slots), from which insert_once takes the first free one in the INSERT itself.
    """
    values, slot_tag = authored(type(item), conversation_key(conversation), conversation.named_mode, participant,
                                client_token)
    for name, value in values.items():
        setattr(item, name, value)
    return slot_tag


def authored(model: type[Idea] | type[Comment], key: bytes, named_mode: bool, participant: Participant,
             client_token: str | None) -> tuple[dict[str, str | None], Callable[[int], str]]:
    """A new item's nonce, author tag and name (named mode only) as column values, and the author's slot tags, under
    its conversation's key (keys.conversation_key of the object, or `key()` of a narrow row)."""
    nonce = new_nonce(key, client_token)
    name = (participant.display_name or "A colleague") if named_mode else None
    return ({"nonce": nonce, "author_tag": author_tag(key, participant.user_key, nonce), "author_name": name},
            author_slots(key, participant.user_key, _KIND[model]))


def insert_once(item: Content, slot_tag: Callable[[int], str]) -> tuple[Content, bool]:
    """Insert in the author's first free slot, or return the row a repeated submission already made (same author
    tag), atomically; the new item is in the session as if it had been read (_persistent)."""
    model = type(item)
    table = cast(sa.Table, model.__table__)  # a declarative model's table: typed as any FromClause
    values = {column.key: getattr(item, column.key) for column in table.columns}
    found, created = insert_row(model, values, slot_tag, tuple(table.c.keys()), lambda: db.session.scalars(
        sa.select(model).where(model.author_tag == item.author_tag)).one_or_none())
    return (_persistent(item, cast(sa.Row[Any], found)._mapping), True) if created else (cast(Content, found), False)


def insert_row(model: type[Idea] | type[Comment], values: dict[str, Any], slot_tag: Callable[[int], str],
               returning: tuple[str, ...], repeat: Callable[[], Any]) -> tuple[Any, bool]:
    """Insert in the author's first free slot and return the new row's `returning` columns and True, or what
    `repeat` finds of the row a repeated submission already made (same author tag) and False, atomically.

    One statement in the usual case: INSERT ... SELECT offers the next SLOTS slot tags and takes the first that no
    row holds, ON CONFLICT DO NOTHING rather than catching a unique violation: PostgreSQL writes every violation to
    its server log with the key's value and a millisecond time, which would date the post. Nothing comes back when
    the author tag exists (a repeat), every offered slot is taken, or another post of the same person took the free
    slot at the same moment; the last two look further and try again. Values that are None are left out, so their
    columns take their defaults.
    """
    values = {name: value for name, value in values.items() if value is not None}
    statement = _insert_in_first_free_slot(model, db.session.get_bind().dialect.name, tuple(values), returning)
    params = {f"v_{name}": value for name, value in values.items()}
    first = 0
    for _ in range(_ATTEMPTS):
        params.update({f"slot_{n}": slot_tag(first + n) for n in range(SLOTS)})
        created = db.session.connection().execute(statement, params).first()  # the new row: no second SELECT
        if created is not None:
            return created, True
        existing = repeat()
        if existing is not None:
            return existing, False
        first = _first_free(model, slot_tag, first)
    raise Busy("Your post could not be saved just now. Please try again.")


def _persistent(item: Content, row: sa.RowMapping) -> Content:
    """The item as the row its INSERT returned: every column set as loaded, in the session as if it had been read.

    SQLAlchemy's own way (an ORM INSERT ... RETURNING, or select().from_statement()) sets up its row loader again on
    every execute (and the ORM INSERT recomputed the whole statement's cache key too). The columns are the ones the
    database holds, so nothing is read again.
    """
    for key, value in row.items():
        set_committed_value(item, key, value)
    make_transient_to_detached(item)  # keyed by the id the INSERT made; no history, so no UPDATE at the commit
    db.session.add(item)
    return item


@functools.lru_cache(maxsize=64)
def _insert_in_first_free_slot(model: type[Idea] | type[Comment], dialect: str, names: tuple[str, ...],
                               returning: tuple[str, ...]) -> Any:
    """The INSERT ... SELECT for one model, dialect and set of columns, built once: the values (v_<column>) and the
    offered slot tags (slot_<n>, taken in order of n) are bind parameters, so a post builds no statement of 16 unions
    and computes no cache key over it (once about two fifths of a comment's CPU)."""
    table = cast(sa.Table, model.__table__)  # a declarative model's table: typed as any FromClause
    offered = sa.union_all(*(sa.select(sa.literal(n, sa.Integer).label("slot"),
                                       sa.bindparam(f"slot_{n}", type_=sa.String).label("tag"))
                             for n in range(SLOTS))).subquery("offered")
    taken = sa.select(table.c.slot_tag).where(table.c.slot_tag == offered.c.tag).exists()
    chosen = (sa.select(*(sa.bindparam(f"v_{name}", type_=table.c[name].type) for name in names), offered.c.tag)
              .where(~taken).order_by(offered.c.slot).limit(1))
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    # A Core INSERT on the table, RETURNING the columns asked for. The ORM's own INSERT path annotates the
    # statement anew on every execute, so SQLAlchemy walked all 16 unions again for each post to find its compiled
    # form (about a twentieth of a comment's CPU); this statement keeps its cache key.
    return insert(table).from_select([*names, "slot_tag"], chosen).on_conflict_do_nothing().returning(
        *(table.c[name] for name in returning))


def _first_free(model: type[Idea] | type[Comment], slot_tag: Callable[[int], str], first: int) -> int:
    """Where to offer slots next, after an INSERT offering slots `first` to `first + SLOTS - 1` found none free (all
    held, or the free one taken by the same person's post at that moment): a slot from which the author's first
    free slot is among the next SLOTS.

    A person's slots are held from 0 up with no gap (each post takes the first free one and rows are never deleted one
    by one), so the first free slot is found by doubling steps, then by narrowing the interval 16 times per lookup:
    a few lookups whatever the number of the person's posts (a lookup per SLOTS slots made a person's 200th comment
    cost 21 statements against 9 for their 20th, issue #18). Each lookup probes the unique index once per tag.
    """
    held_below = first - 1  # the highest slot known to be held
    free_at: int | None = None
    while free_at is None:  # doubling: the first slot offered, then held_below + 16, + 32, + 64, ...
        probes = sorted({held_below + 1, *(held_below + SLOTS * 2 ** n for n in range(_GALLOP))})
        held = _held(model, slot_tag, probes)
        free_at = next((p for p in probes if p not in held), None)
        held_below = max([p for p in probes if p in held and (free_at is None or p < free_at)], default=held_below)
    while free_at - held_below > SLOTS:  # narrowing: SLOTS - 1 probes spread over the interval
        width = free_at - held_below
        probes = [held_below + width * n // SLOTS for n in range(1, SLOTS)]
        held = _held(model, slot_tag, probes)
        held_below = max([p for p in probes if p in held], default=held_below)
        free_at = min([p for p in probes if p not in held and p > held_below], default=free_at)
    return held_below + 1


def _held(model: type[Idea] | type[Comment], slot_tag: Callable[[int], str], slots: list[int]) -> set[int]:
    """Which of these slots of the author's a row holds: one lookup."""
    tags = {slot_tag(n): n for n in slots}
    found = db.session.scalars(sa.select(model.slot_tag).where(model.slot_tag.in_(tags)))
    return {tags[tag] for tag in found if tag is not None}


def commit_keeping(item: Content) -> None:
    """Commit, keeping the item's columns loaded: the answer shows what was just written without reading it again.

    COMMIT expires every loaded object, so reading the new row's columns afterwards cost a SELECT per post; the
    values are the ones the INSERT ... RETURNING (or the repeat's SELECT) gave, so they are what the database holds.
    """
    values = {attribute.key: getattr(item, attribute.key) for attribute in sa.inspect(type(item)).column_attrs}
    db.session.commit()
    for key, value in values.items():
        set_committed_value(item, key, value)


def is_author(participant: Participant, key: bytes, item: Idea | Comment) -> bool:
    """Recompute the item's author tag for this person."""
    return author_tag(key, participant.user_key, item.nonce) == item.author_tag


def own_ids(participant: Participant, key: bytes, model: type[Idea] | type[Comment], conversation_id: int,
            where: sa.ColumnElement[bool]) -> list[str]:
    """Ids of the items of a conversation this person wrote that match `where`, in the order written (older items
    from before author slots first).

    The person's slot tags are computed and looked up SLOTS at a time until a batch is not full: the work grows with
    the person's own items, not with the conversation. Slots are taken in order and items are never deleted one by
    one (a withdrawn item keeps its row), so the first batch with a free slot is the last. Items written before
    slots existed (empty slot tag, by a partial index) are found the old way, by testing their author tags.
    Nothing is stored: a person's items are found by recomputing tags, never through an index that links them.
    """
    slot_tag = author_slots(key, participant.user_key, _KIND[model])
    tag_for = author_tagger(key, participant.user_key)
    unslotted = (model.conversation_id == conversation_id) & model.slot_tag.is_(None)
    found: dict[int, str] = {}
    older: list[str] = []
    first = 0
    while True:
        tags = {slot_tag(n): n for n in range(first, first + SLOTS)}
        in_batch = model.slot_tag.in_(tags)
        rows = db.session.execute(
            sa.select(model.id, model.slot_tag, model.nonce, model.author_tag, where)
            .where(in_batch | unslotted if first == 0 else in_batch)).all()
        held = 0
        for item_id, slot, nonce, tag, matches in rows:
            if slot is None:
                if matches and tag_for(nonce) == tag:
                    older.append(item_id)
                continue
            held += 1
            if matches:
                found[tags[slot]] = item_id
        if held < SLOTS:
            return older + [found[n] for n in sorted(found)]
        first += SLOTS

def require_author(participant: Participant, item: Content | None) -> Content:
    """The item if this person wrote it; otherwise NotFound, so nobody learns whether it exists."""
    if item is None:
        raise NotFound()
    conversation = db.session.get(Conversation, item.conversation_id)
    if conversation is None or not is_author(participant, conversation_key(conversation), item):
        raise NotFound()
    return item
