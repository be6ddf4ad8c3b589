"""Importing typed-up paper sticky notes from an event as ideas marked "paper", under random author tags.

Checking is all-or-nothing: every row is validated (and identifying details flagged) before anything is
saved, and the import itself is one transaction. The author tags are random, so paper notes are linkable
to nobody, not even to each other. A note that may identify someone, or holds abusive language, waits in the
moderation queue like a flagged post: whoever typed it up is not the moderator who must decide.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field

from app import live
from app.crypto import tag
from app.extensions import db
from app.models import ContentStatus, Conversation, ConversationStatus, Idea, Question
from app.services.common.csvfile import RowErrors, decode, read_rows
from app.services.common.errors import InvalidInput, NotAllowedNow
from app.services.content.ideas import IDEA_MAX, IDEA_MIN
from app.services.common.keys import conversation_key
from app.services.content.screening import is_abusive
from app.services.common.text import clean_text
from app.services.themes.reading import check_text
from app.services.workshops import events

COLUMNS = {"question": ("question", "question number"), "text": ("text", "note", "idea")}


@dataclass
class PaperNote:
    row: int
    question: Question
    text: str
    flags: list[str] = field(default_factory=list)
    sentiment: float = 0.0


def _is_csv(text: str) -> bool:
    first = text.lstrip().split("\n", 1)[0].lower()
    return "question" in first and ("text" in first or "note" in first) and "," in first


def _find_question(conversation: Conversation, value: str) -> Question | None:
    value = value.strip()
    if value.isascii() and value.isdigit() and len(value) < 6:  # "²" is a digit to isdigit() but not to int()
        number = int(value)
        return conversation.questions[number - 1] if 1 <= number <= len(conversation.questions) else None
    return next((q for q in conversation.questions if q.text.strip().lower() == value.lower()), None)


Progress = Callable[[int, int], None]  # (notes checked, notes in all)


def _rows(conversation: Conversation, data: bytes | str, question_id: int | None) -> list[tuple[int, dict[str, str]]]:
    if conversation.status == ConversationStatus.CLOSED:
        raise NotAllowedNow("This conversation has closed. Reopen it before importing notes.")
    text = decode(data, field="notes")
    if _is_csv(text):
        return read_rows(text, COLUMNS, field="notes")
    question = next((q for q in conversation.questions if q.id == question_id), None)
    if question is None:
        raise InvalidInput("Choose the question these notes answer, or paste a CSV with a question column",
                           field="question_id")
    lines = [(n, line.strip()) for n, line in enumerate(text.splitlines(), start=1) if line.strip()]
    return [(n, {"question": str(conversation.questions.index(question) + 1), "text": line}) for n, line in lines]


def count_notes(conversation: Conversation, data: bytes | str, question_id: int | None = None) -> int:
    """How many notes the input holds, read without checking them (cheap); raises on input that cannot be read."""
    return len(_rows(conversation, data, question_id))


def read_notes(conversation: Conversation, data: bytes | str, question_id: int | None = None,
               progress: Progress | None = None) -> list[PaperNote]:
    """Parse and check notes: a CSV with question and text columns, or one note per line under one question.

    Raises RowErrors with row numbers when any row is wrong. `progress` hears every hundredth note checked.
    """
    rows = _rows(conversation, data, question_id)
    notes, errors = [], []
    for done, (number, row) in enumerate(rows):
        if progress and done and done % 100 == 0:
            progress(done, len(rows))
        question = _find_question(conversation, row["question"])
        if question is None:
            errors.append((number, f"{row['question'] or 'A blank question'!r} is not a question number (1 to "
                                   f"{len(conversation.questions)}) or the exact text of a question"))
            continue
        try:
            body = clean_text(row["text"], minimum=IDEA_MIN, maximum=IDEA_MAX, what="note", field="notes")
        except InvalidInput as error:
            errors.append((number, error.message.replace("Your note", "The note").replace("Enter your note", "The note is empty")))
            continue
        check = check_text(body)
        notes.append(PaperNote(number, question, body, [f"“{s.text}” ({s.reason})" for s in check.spans], check.sentiment))
    if errors:
        raise RowErrors(errors, field="notes")
    return notes


def import_notes(conversation: Conversation, data: bytes | str, question_id: int | None = None) -> list[Idea]:
    """Check every note, then add them all as ideas in one transaction; returns the new ideas."""
    ideas, message = add_notes(conversation, read_notes(conversation, data, question_id))
    db.session.commit()
    live.publish(message)
    return ideas


def add_notes(conversation: Conversation, notes: list[PaperNote]) -> tuple[list[Idea], live.LiveMessage | None]:
    """Add checked notes as ideas (flushes; the caller commits, so the import stays all-or-nothing).

    Published notes move the conversation's lists, so they are one "ideas_added" event (never one per note): it
    ends every kept page of the conversation (content/listing_cache) and tells live boards to reload their state.
    The caller publishes the returned message after its commit.
    """
    key = conversation_key(conversation)
    ideas = []
    for note in notes:
        nonce = secrets.token_hex(16)
        abusive = is_abusive(note.text)
        held = bool(note.flags) or abusive
        # Not through batch release: paper notes have no author to protect, so they need no shuffled batch.
        idea = Idea(conversation_id=conversation.id, question_id=note.question.id, body=note.text, source="paper",
                    nonce=nonce, author_tag=tag(key, "paper", secrets.token_hex(32), nonce), slot_tag=secrets.token_hex(32),
                    sentiment=note.sentiment, flagged_identifying=bool(note.flags), flagged_abusive=abusive,
                    status=ContentStatus.PENDING if held else ContentStatus.PUBLISHED, queued=held)
        db.session.add(idea)
        ideas.append(idea)
    db.session.flush()
    return ideas, events.ideas_added(conversation.id, ideas)
