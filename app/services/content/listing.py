"""Reading ideas: sorted pages with counts, one idea with its comments, and "my posts"."""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from collections.abc import Callable, Sequence
from typing import Any, Literal, TypeVar

import sqlalchemy as sa

from app.crypto import author_tagger, voter_pseudonym
from app.extensions import db
from app.models import Comment, ContentStatus, Conversation, Idea, IdeaStage, Vote
from app.models.conversation import ConversationState
from app.services.content.authorship import is_author, own_ids
from app.services.access import ListedQuestion, get_conversation, listed_question
from app.services.content.grace import is_archived
from app.services.content.fair_order import PER_PAGE, fair_random_page, order_seed
from app.services.content.cards import IdeaView, card_rows, comment_count, keeps_cards, vote_count
from app.services.content.listing_cache import cached, listing_cache
from app.services.content.orders import full_order
from app.services.content.ideas import visible_idea
from app.services.common.keys import conversation_key
from app.services.common.participants import Participant
from app.services.workshops.phases import counts_hidden
from app.services.content.voting import VALUE_NAMES

Sort = Literal["newest", "supported", "discussed", "random"]
SORTS: dict[str, str] = {
    "random": "Fair random order",
    "newest": "Newest",
    "supported": "Most supported",
    "discussed": "Most discussed",
}
T = TypeVar("T")


def sort_labels(voting_mode: str) -> dict[str, str]:
    """The sort choices in the words of this conversation's voting: "Most agreed" when people agree or disagree."""
    return SORTS if voting_mode == "support" else {**SORTS, "supported": "Most agreed"}


@dataclass
class IdeaCard:
    """An idea with its counts and this person's relation to it."""

    idea: Idea | IdeaView  # a plain view in lists of many cards (services/content/cards.py)
    support: int = 0
    agree: int = 0
    disagree: int = 0
    passes: int = 0
    comments: int = 0
    my_vote: str | None = None
    mine: bool = False
    # True while the conversation hides counts and this person has not voted on the idea (counts are zero).
    counts_hidden: bool = False


@dataclass
class IdeaPage:
    question: ListedQuestion  # with its conversation, as one narrow row (access.listed_question)
    cards: list[IdeaCard]
    sort: str
    page: int
    pages: int
    total: int
    stage: str | None = None  # Ideas Lab: only ideas at this stage
    speak_up: bool | None = None  # asked for (list_ideas' guardian): may posts be sent to a Guardian


@dataclass
class CommentView:
    comment: Comment
    mine: bool


@dataclass
class IdeaDetail:
    card: IdeaCard
    comments: list[CommentView] = field(default_factory=list)
    # This person's own comments on the idea that others cannot see yet (held, or waiting for a batch).
    own_unpublished: list[Comment] = field(default_factory=list)


@dataclass
class MyPosts:
    conversation: Conversation
    ideas: list[IdeaCard]
    comments: list[Comment]
    archived: bool = False  # the key is destroyed: nobody's posts can be found any more


def new_card(idea: Idea) -> IdeaCard:
    """The card of an idea its author has just posted: no votes or comments yet."""
    return IdeaCard(idea=idea, mine=True, counts_hidden=counts_hidden(idea.conversation))


@functools.cache  # built once with parameters, not on every request
def _own_votes() -> sa.Select:
    """A reader's votes (parameter voter) on some ideas (parameter ids)."""
    return sa.select(Vote.idea_id, Vote.value).where(Vote.idea_id.in_(sa.bindparam("ids", expanding=True)),
                                                     Vote.voter == sa.bindparam("voter"))


def _cards(participant: Participant, key: bytes, conversation: ConversationState, rows: Sequence[Any],
           mine: dict[str, int] | None = None) -> list[IdeaCard]:
    """Turn (idea, up, down, passes, comments) rows into cards, marking own ideas and own votes (`mine`, idea id ->
    vote value, when the caller has read them already); `key` is the conversation's."""
    ids = [row[0].id for row in rows]
    if mine is None:
        voter = voter_pseudonym(key, participant.user_key)
        mine = dict(db.session.connection().execute(_own_votes(), {"ids": ids, "voter": voter}).all()) if ids else {}
    cards = []
    hidden = counts_hidden(conversation)
    support = conversation.voting_mode == "support"
    tag_for = author_tagger(key, participant.user_key)  # the person's part of the HMAC once, not once per card
    for idea, up, down, passes, comments in rows:
        value = mine.get(idea.id)
        if hidden and value is None:
            up = down = passes = 0
        cards.append(
            IdeaCard(
                idea=idea,
                support=up or 0,
                agree=up or 0,
                disagree=down or 0,
                passes=passes or 0,
                comments=comments or 0,
                my_vote=None if value is None else ("support" if support else VALUE_NAMES[value]),
                mine=tag_for(idea.nonce) == idea.author_tag,
                counts_hidden=hidden and value is None,
            )
        )
    return cards


@functools.cache  # the same statement every time (statements are immutable): built once, not on every request
def _card_query() -> tuple[sa.Select, sa.ColumnElement[int], sa.ColumnElement[int]]:
    """Ideas with their counts, computed only for the rows the query keeps (scaled to the page, not the instance)."""
    up, comments = vote_count(1).label("up"), comment_count().label("comments")
    query = sa.select(Idea, up, vote_count(-1).label("down"), vote_count(0).label("passes"), comments)
    return query, up, comments


def list_ideas(participant: Participant, question_id: int, sort: str = "random", page: int = 1,
               stage: str | None = None, guardian: bool = False) -> IdeaPage:
    """One page of a question's ideas in the chosen order; "random" is stable per person. With `guardian`, also
    whether its organisation has a Freedom to Speak Up Guardian (the page's idea form offers "also send"), read in
    the same statement as the question."""
    question, speak_up = listed_question(participant, question_id, guardian)
    conversation = question.conversation
    key = conversation.key()
    sort = sort if sort in SORTS else "random"
    if sort == "supported" and counts_hidden(conversation):
        sort = "random"  # the order would reveal the hidden counts
    stage = stage if stage in {s.value for s in IdeaStage} and conversation.kind == "ideas_lab" else None

    def published() -> sa.ColumnElement[bool]:  # built only when something is read afresh, not on every request
        found = (Idea.question_id == question.id) & (Idea.status == ContentStatus.PUBLISHED)
        return found & (Idea.stage == stage) if stage else found

    # Counting and sorting every idea is done once per conversation event, not per reader (listing_cache);
    # Ideas Lab stage moves record no event, so a stage's list is always read afresh. Where every change records
    # an event (keeps_cards), what is kept lasts until the next one; elsewhere REUSES readings (listing_cache).
    until_event = keeps_cards(conversation)

    def kept(key: tuple[object, ...], compute: Callable[[], T]) -> T:
        return compute() if stage else cached(conversation.id, conversation.live_seq, (question.id, *key), compute,
                                              until_event)

    for attempt in range(2):
        if sort == "random":
            total = kept(("total",), lambda: db.session.connection().scalar(
                sa.select(sa.func.count()).select_from(Idea).where(published())) or 0)
        else:
            # The question's whole order, computed once per event for every page (content/orders.py).
            order = kept(("order", sort), lambda: full_order(conversation.id, question.id, sort, stage))
            total = len(order)
        pages = max(1, math.ceil(total / PER_PAGE))
        page = min(max(1, page), pages)
        if sort == "random":
            # Keyed by a seed of its own purpose (never the stored voter pseudonym), so the same on every visit
            # yet reproducible by nobody holding a dump: the first ideas on a screen must not name its reader.
            # Per person, so never cached (rule A3); it reads only up to the page.
            walked = fair_random_page(question.id, stage, order_seed(key, participant.user_key), page,
                                      voter_pseudonym(key, participant.user_key))
            ids, mine = list(walked), {idea_id: value for idea_id, value in walked.items() if value is not None}
        else:
            ids, mine = list(order[(page - 1) * PER_PAGE:page * PER_PAGE]), None
        # The cards of kept ids are read with today's counts (kept per event too), only while still published.
        ordered = card_rows(conversation, published, ids)
        if len(ordered) == len(ids) or stage or attempt:
            break
        # A listed idea has left without an event (withdrawn in the grace period): the kept order and total are
        # out of date, so they are forgotten and read again now rather than after REUSES readings.
        listing_cache().forget(conversation.id)
    return IdeaPage(question, _cards(participant, key, conversation, ordered, mine), sort, page, pages, total, stage,
                    speak_up)


def idea_detail(participant: Participant, idea_id: str) -> IdeaDetail:
    """One idea with its counts and its published comments, oldest first."""
    idea = visible_idea(participant, idea_id)
    query, _, _ = _card_query()
    row = db.session.execute(query.where(Idea.id == idea.id)).one()
    conversation = idea.conversation
    key = conversation_key(conversation)
    card = _cards(participant, key, conversation, [row])[0]
    comments = db.session.scalars(
        sa.select(Comment)
        .where(Comment.idea_id == idea.id, Comment.status == ContentStatus.PUBLISHED)
        .order_by(Comment.created_hour, Comment.id)
    ).all()
    unpublished = db.session.scalars(
        sa.select(Comment).where(Comment.idea_id == idea.id,
                                 Comment.status.in_((ContentStatus.WAITING, ContentStatus.PENDING)))
        .order_by(Comment.created_hour, Comment.id)
    ).all()
    return IdeaDetail(card, [CommentView(c, is_author(participant, key, c)) for c in comments],
                      [c for c in unpublished if is_author(participant, key, c)])


def my_posts(participant: Participant, conversation_id: int) -> MyPosts:
    """This person's ideas and comments in a conversation, found by looking up their own slot tags (authorship.own_ids):
    the work grows with what they wrote, not with the conversation."""
    conversation = get_conversation(participant, conversation_id)
    if is_archived(conversation):
        return MyPosts(conversation, [], [], archived=True)
    key = conversation_key(conversation)
    # Own posts held or hidden by moderators are listed too, with their state; only withdrawn ones are not.
    idea_ids = own_ids(participant, key, Idea, conversation.id, Idea.status != ContentStatus.WITHDRAWN)
    comment_ids = own_ids(participant, key, Comment, conversation.id, Comment.status != ContentStatus.WITHDRAWN)
    query, _, _ = _card_query()
    own_rows = db.session.execute(
        query.where(Idea.id.in_(idea_ids)).order_by(Idea.created_hour.desc(), Idea.id)
    ).all() if idea_ids else []
    comments = db.session.scalars(
        sa.select(Comment).where(Comment.id.in_(comment_ids)).order_by(Comment.created_hour.desc(), Comment.id)
    ).all() if comment_ids else []
    return MyPosts(conversation, _cards(participant, key, conversation, list(own_rows)), list(comments))


@dataclass
class CardPage:
    conversation: Conversation
    cards: list[IdeaCard]
    page: int
    pages: int
    total: int


def ideas_by_ids(participant: Participant, conversation_id: int, idea_ids: list[str], page: int = 1) -> CardPage:
    """A page of the given ideas (e.g. a theme's), most supported first."""
    conversation = get_conversation(participant, conversation_id)
    query, up, _ = _card_query()
    published = Idea.id.in_(idea_ids) & (Idea.status == ContentStatus.PUBLISHED) & (Idea.conversation_id == conversation.id)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Idea).where(published)) or 0
    pages = max(1, math.ceil(total / PER_PAGE))
    page = min(max(1, page), pages)
    by_support = [] if counts_hidden(conversation) else [sa.desc(up)]
    rows = db.session.execute(
        query.where(published)
        .order_by(*by_support, Idea.created_hour.desc(), Idea.id)
        .offset((page - 1) * PER_PAGE).limit(PER_PAGE)
    ).all()
    return CardPage(conversation, _cards(participant, conversation_key(conversation), conversation, list(rows)), page,
                    pages, total)
