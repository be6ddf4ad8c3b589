"""Writing and recognising anonymous content: author tags, idempotent inserts and ownership checks."""

from __future__ import annotations

from typing import TypeVar, cast

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm.attributes import set_committed_value

from app.crypto import author_tag, author_tagger, new_nonce
from app.extensions import db
from app.models import Comment, Conversation, Idea
from app.services.common.errors import NotFound
from app.services.common.keys import conversation_key
from app.services.common.participants import Participant

Content = TypeVar("Content", Idea, Comment)


def stamp(item: Content, conversation: Conversation, participant: Participant, client_token: str | None) -> None:
    """Give a new item its nonce and author tag (and a name only in named-mode conversations)."""
    key = conversation_key(conversation)
    item.nonce = new_nonce(key, client_token)
    item.author_tag = author_tag(key, participant.user_key, item.nonce)
    item.author_name = (participant.display_name or "A colleague") if conversation.named_mode else None


def insert_once(item: Content) -> tuple[Content, bool]:
    """Insert, or return the row a repeated submission already made (same author tag), atomically.

    INSERT ... ON CONFLICT DO NOTHING rather than catching a unique violation: PostgreSQL writes every
    violation to its server log with the key's value and a millisecond time, which would date the post.
    """
    model = type(item)
    table = cast(sa.Table, model.__table__)  # a declarative model's table: typed as any FromClause
    values = {column.key: getattr(item, column.key) for column in table.columns
              if getattr(item, column.key, None) is not None}  # unset columns take their defaults
    insert = postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = insert(model).values(values).on_conflict_do_nothing(index_elements=["author_tag"])
    created = db.session.scalar(statement.returning(model))  # the new row as an object: no second SELECT
    if created is None:
        existing = db.session.scalars(sa.select(model).where(model.author_tag == item.author_tag)).one()
        return existing, False
    return created, True


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


def own_ids(participant: Participant, key: bytes, model: type[Idea] | type[Comment],
            where: sa.ColumnElement[bool]) -> list[str]:
    """Ids of the matching items this person wrote: only (id, nonce, tag) of the conversation's items are read, and
    the person's part of the HMAC is computed once, so checking thousands of items costs a few milliseconds.

    Nothing is stored: a person's posts are found by recomputing tags, never through an index that links them.
    """
    tag_for = author_tagger(key, participant.user_key)
    rows = db.session.execute(sa.select(model.id, model.nonce, model.author_tag).where(where))
    return [item_id for item_id, nonce, tag in rows if tag_for(nonce) == tag]


def require_author(participant: Participant, item: Content | None) -> Content:
    """The item if this person wrote it; otherwise NotFound, so nobody learns whether it exists."""
    if item is None:
        raise NotFound()
    conversation = db.session.get(Conversation, item.conversation_id)
    if conversation is None or not is_author(participant, conversation_key(conversation), item):
        raise NotFound()
    return item
