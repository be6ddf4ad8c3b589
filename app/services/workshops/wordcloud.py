"""The word cloud of a live session: the board's published notes, counted and laid out by nlp.wordcloud.

Only notes already on the board are read (published ideas, as the board lists them), so the cloud shows nothing a
participant could not read there, minus identifying details and names. A cloud is kept in the app's memory per
conversation until its next live event (every change to the board makes one), so projectors refreshing do not recount.
"""

from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db
from app.models import ContentStatus, Conversation, Idea
from app.services.common.worker_memory import latest_per_conversation
from app.services.workshops.board import BOARD_LIMIT
from nlp.wordcloud import WordCloud, word_cloud

CACHED = 64  # conversations whose latest cloud is kept


def session_word_cloud(conversation: Conversation) -> WordCloud:
    """The cloud of the session's current notes (the newest BOARD_LIMIT published ideas)."""
    kept = latest_per_conversation("word_clouds", CACHED)
    found = kept.get(conversation.id)
    if found is not None and found[0] == conversation.live_seq:
        cloud: WordCloud = found[1]
        return cloud
    texts = list(db.session.scalars(
        sa.select(Idea.body).where(Idea.conversation_id == conversation.id, Idea.status == ContentStatus.PUBLISHED)
        .order_by(Idea.created_hour.desc(), Idea.id).limit(BOARD_LIMIT)))
    cloud = word_cloud(texts)
    kept.put(conversation.id, conversation.live_seq, cloud)
    return cloud
