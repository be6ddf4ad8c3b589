"""The word cloud of a live session: the board's published notes, counted and laid out by nlp.wordcloud.

Only notes already on the board are read (published ideas, as the board lists them), so the cloud shows nothing a
participant could not read there, minus identifying details and names. A cloud is kept in memory per conversation
until its next live event (every change to the board makes one), so projectors refreshing do not recount.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import sqlalchemy as sa

from app.extensions import db
from app.models import ContentStatus, Conversation, Idea
from app.services.workshops.board import BOARD_LIMIT
from nlp.wordcloud import WordCloud, word_cloud

CACHED = 64  # conversations whose latest cloud is kept
_cache: OrderedDict[tuple[int, int], WordCloud] = OrderedDict()
_lock = threading.Lock()


def session_word_cloud(conversation: Conversation) -> WordCloud:
    """The cloud of the session's current notes (the newest BOARD_LIMIT published ideas)."""
    key = (conversation.id, conversation.live_seq)
    with _lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    texts = list(db.session.scalars(
        sa.select(Idea.body).where(Idea.conversation_id == conversation.id, Idea.status == ContentStatus.PUBLISHED)
        .order_by(Idea.created_hour.desc(), Idea.id).limit(BOARD_LIMIT)))
    cloud = word_cloud(texts)
    with _lock:
        for old in [k for k in _cache if k[0] == conversation.id]:
            del _cache[old]
        _cache[key] = cloud
        while len(_cache) > CACHED:
            _cache.popitem(last=False)
    return cloud
