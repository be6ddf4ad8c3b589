"""The author's side of the Speak Up route: send a post to the Guardian, read replies, write back.

A thread row holds the post's id and nothing about its author. The author is recognised by recomputing the
post's own author tag (app/services/content/authorship.py), exactly as "My ideas and comments" does, so sending
in the posting request adds one row that points only at the post (rule A1), and nothing is written because the
author visits (rule A2). After the conversation's key is destroyed nobody, the author included, can tell whose
thread it was (rule A6); the Guardian can still read it.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import selectinload
from sqlalchemy.dialects import postgresql, sqlite

from app.crypto import author_tagger
from app.extensions import db
from app.models.base import random_id
from app.models import Comment, ContentStatus, Conversation, Idea, NewComment, SpeakUpMessage, SpeakUpThread, ThreadStatus
from app.models.conversation import PostingState
from app.services.common.errors import NotAllowedNow, NotFound
from app.services.common.keys import conversation_key
from app.services.common.participants import Participant
from app.services.common.text import clean_text
from app.services.content.authorship import require_author
from app.services.speakup.settings import has_guardian

MESSAGE_MAX = 4000
NO_GUARDIAN = ("The organisation running this conversation has no Freedom to Speak Up Guardian on Chorus yet. "
               "You can still contact your Guardian directly: see “Speaking up”.")


def require_guardian(conversation: PostingState) -> None:
    """NotAllowedNow unless someone can read what is sent: the owning organisation has an active Guardian."""
    if not has_guardian(conversation.organisation_id):
        raise NotAllowedNow(NO_GUARDIAN)


def open_thread(conversation: PostingState, *, idea: Idea | None = None,
                comment: Comment | NewComment | None = None) -> str:
    """Open the post's thread, or find the one already open (flushes only; the caller commits); returns its id.

    An atomic insert that does nothing when the post already has a thread, so a double submit opens one.
    """
    values = {"conversation_id": conversation.id, "idea_id": idea.id if idea else None,
              "comment_id": comment.id if comment else None}
    column = "idea_id" if idea is not None else "comment_id"
    insert = postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = insert(SpeakUpThread).values(
        id=random_id(), guardian_unread=True, replies=0, status=ThreadStatus.OPEN.value,
        **values).on_conflict_do_nothing(index_elements=[column])
    db.session.execute(statement)
    found = db.session.scalar(sa.select(SpeakUpThread.id).where(getattr(SpeakUpThread, column) == values[column]))
    assert found is not None
    return found


def own_post(participant: Participant, kind: str, item_id: str) -> Idea | Comment:
    item: Idea | Comment = (require_author(participant, db.session.get(Idea, item_id)) if kind == "idea"
                            else require_author(participant, db.session.get(Comment, item_id)))
    if item.status == ContentStatus.WITHDRAWN:
        raise NotFound()
    return item


def add_message(thread: SpeakUpThread, body: str, *, guardian_name: str | None = None) -> SpeakUpMessage:
    text = clean_text(body, minimum=1, maximum=MESSAGE_MAX, what="message")
    seq = (db.session.scalar(sa.select(sa.func.max(SpeakUpMessage.seq)).where(SpeakUpMessage.thread_id == thread.id)) or 0) + 1
    message = SpeakUpMessage(thread_id=thread.id, seq=seq, from_guardian=guardian_name is not None,
                             guardian_name=guardian_name, body=text)
    db.session.add(message)
    return message


def send_to_guardian(participant: Participant, kind: str, item_id: str, message: str = "") -> SpeakUpThread:
    """Send one's own idea or comment to the Guardian, with an optional message; sending again changes nothing."""
    item = own_post(participant, kind, item_id)
    conversation = db.session.get(Conversation, item.conversation_id)
    assert conversation is not None
    require_guardian(conversation)
    thread_id = open_thread(conversation, **{kind: item})  # type: ignore[arg-type]
    thread = db.session.get(SpeakUpThread, thread_id)
    assert thread is not None
    if message.strip():
        add_message(thread, message)
        thread.guardian_unread, thread.status = True, ThreadStatus.OPEN.value
    db.session.commit()
    return thread


def thread_of(participant: Participant, kind: str, item_id: str) -> SpeakUpThread | None:
    """The thread of one's own post, if it was sent (NotFound for someone else's post)."""
    item = own_post(participant, kind, item_id)
    column = SpeakUpThread.idea_id if kind == "idea" else SpeakUpThread.comment_id
    return db.session.scalar(sa.select(SpeakUpThread).where(column == item.id))


@dataclass
class AuthorThread:
    thread: SpeakUpThread
    post: Idea | Comment

    @property
    def withdrawn(self) -> bool:
        return self.post.status == ContentStatus.WITHDRAWN


def my_threads(participant: Participant, conversation: Conversation) -> list[AuthorThread]:
    """This person's threads in a conversation, found by recomputing the author tags of the posts sent.

    Reads only the conversation's threads and their posts' (id, nonce, tag); nothing says whose they are.
    """
    try:
        tag_for = author_tagger(conversation_key(conversation), participant.user_key)
    except NotAllowedNow:
        return []
    rows = db.session.execute(
        sa.select(SpeakUpThread.id, sa.func.coalesce(Idea.nonce, Comment.nonce), sa.func.coalesce(Idea.author_tag, Comment.author_tag))
        .outerjoin(Idea, Idea.id == SpeakUpThread.idea_id).outerjoin(Comment, Comment.id == SpeakUpThread.comment_id)
        .where(SpeakUpThread.conversation_id == conversation.id)).all()
    mine = [thread_id for thread_id, nonce, tag in rows if nonce is not None and tag_for(nonce) == tag]
    found = []
    for thread in db.session.scalars(sa.select(SpeakUpThread).where(SpeakUpThread.id.in_(mine))
                                     .options(selectinload(SpeakUpThread.messages), selectinload(SpeakUpThread.idea),
                                              selectinload(SpeakUpThread.comment))) if mine else []:
        post = thread.idea if thread.idea_id is not None else thread.comment
        assert post is not None
        found.append(AuthorThread(thread, post))
    return sorted(found, key=lambda t: (t.post.created_hour, t.thread.id), reverse=True)


def author_thread(participant: Participant, conversation_id: int, thread_id: str) -> AuthorThread:
    """One of this person's threads (also for a withdrawn post), or NotFound."""
    thread = db.session.get(SpeakUpThread, thread_id)
    if thread is None or thread.conversation_id != conversation_id:
        raise NotFound("We could not find that message.")
    post: Idea | Comment = (require_author(participant, thread.idea) if thread.idea_id is not None
                            else require_author(participant, thread.comment))
    return AuthorThread(thread, post)


def author_message(participant: Participant, conversation_id: int, thread_id: str, body: str) -> SpeakUpMessage:
    """Write to the Guardian in one's own thread; it reopens a closed thread."""
    found = author_thread(participant, conversation_id, thread_id)
    message = add_message(found.thread, body)
    found.thread.guardian_unread, found.thread.status = True, ThreadStatus.OPEN.value
    db.session.commit()
    return message
