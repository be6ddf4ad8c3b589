"""Schemas for ideas, comments and votes."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator, Field

from app.api.schemas.common import Body, Out, Query, Text, iso_hour
from app.models import Comment as CommentRow
from app.models import NewComment
from app.services.content.listing import IdeaCard, Sort
from app.services.content.voting import VoteResult
from app.urls import MAX_DB_INT

def _token(value: Any) -> Any:
    """A retry token of 8 to 200 characters, with the message the Idempotency-Key header gets."""
    if isinstance(value, str) and not 8 <= len(value) <= 200:
        raise ValueError("must be 8 to 200 characters, like an Idempotency-Key header.")
    return value


Token = Annotated[str, BeforeValidator(_token), Field(json_schema_extra={"minLength": 8, "maxLength": 200})]
STATUS = "published; pending, hidden or waiting (for the next batch) only in your own posts"


class PostBody(Body):
    """The text of an idea or comment."""

    body: Text
    client_token: Token | None = Field(None, description="Alternative to the Idempotency-Key header.")
    confirm_identifying: bool = Field(False, description="Post even though the text seems to hold names, contact "
                                                         "details or ward numbers (otherwise 422).")


class NewPostBody(PostBody):
    """A new idea or comment; to_guardian also sends it to the Freedom to Speak Up Guardian."""

    to_guardian: bool = Field(False, description="Also send it to the Freedom to Speak Up Guardian of the "
                                                 "organisation running the conversation (409 when it has none). "
                                                 "The Guardian never learns who wrote it.")


class VoteBody(Body):
    """A vote: support, or agree / disagree / pass (others are refused with 422)."""

    choice: Annotated[str, Field(max_length=20, json_schema_extra={"enum": ["support", "agree", "disagree", "pass"]})]


class IdeasQuery(Query):
    """Which page of a question's ideas, in which order, and (Ideas Lab) which stage."""

    sort: Sort = "random"
    page: int = Field(1, ge=1, le=MAX_DB_INT)
    stage: str | None = Field(None, max_length=40)


class Comment(Out):
    """A comment (sticky note) on an idea; never carries its author, and its time only to the hour."""

    id: str
    idea_id: str
    body: str
    created_hour: str | None
    edited: bool
    moderator_edited: bool
    status: str = Field(description=STATUS)
    mine: bool
    author_name: str | None = Field(None, description="Only in a conversation in named mode")

    @classmethod
    def of(cls, comment: CommentRow | NewComment, mine: bool) -> Comment:
        """The comment as its reader may see it."""
        return cls(id=comment.id, idea_id=comment.idea_id, body=comment.body, created_hour=iso_hour(comment.created_hour),
                   edited=comment.edited, moderator_edited=comment.moderator_edited, status=comment.status, mine=mine,
                   author_name=comment.author_name)


class Idea(Out):
    """An idea; never carries its author, and its time only to the hour."""

    id: str
    conversation_id: int
    question_id: int
    body: str
    created_hour: str | None
    edited: bool
    moderator_edited: bool
    status: str = Field(description=STATUS)
    source: str
    votes: dict[str, int] | None = Field(description="null while counts are hidden from you (votes_hidden)")
    votes_hidden: bool
    comment_count: int
    my_vote: str | None
    mine: bool
    author_name: str | None = Field(None, description="Only in a conversation in named mode")
    stage: str | None = Field(None, description="Ideas Lab only")
    stage_reason: str | None = Field(None, description="Ideas Lab only")

    @classmethod
    def of(cls, card: IdeaCard) -> Idea:
        """The idea as its reader may see it, with the counts they may see."""
        idea = card.idea
        votes = (
            None if card.counts_hidden
            else {"support": card.support} if idea.conversation.voting_mode == "support"
            else {"agree": card.agree, "disagree": card.disagree, "pass": card.passes}
        )
        lab = idea.conversation.kind == "ideas_lab"
        return cls(id=idea.id, conversation_id=idea.conversation_id, question_id=idea.question_id, body=idea.body,
                   created_hour=iso_hour(idea.created_hour), edited=idea.edited, moderator_edited=idea.moderator_edited,
                   status=idea.status, source=idea.source, votes=votes, votes_hidden=card.counts_hidden,
                   comment_count=card.comments, my_vote=card.my_vote, mine=card.mine, author_name=idea.author_name,
                   stage=idea.stage if lab else None, stage_reason=idea.stage_reason if lab else None)


class Vote(Out):
    """A vote's answer: only what the voter needs, the idea's counts (null while hidden) and their own vote."""

    id: str
    votes: dict[str, int] | None = Field(description="null while counts are hidden from you (votes_hidden)")
    votes_hidden: bool
    my_vote: str | None

    @classmethod
    def of(cls, result: VoteResult) -> Vote:
        """The voter's view of the idea's counts after their vote."""
        return cls(id=result.idea_id, votes=result.votes, votes_hidden=result.votes is None, my_vote=result.my_vote)


class IdeaWithComments(Idea):
    """An idea with the comments its reader may see."""

    comments: list[Comment]


class IdeaPage(Out):
    """One page of a question's ideas."""

    ideas: list[Idea]
    page: int
    pages: int
    total: int
    sort: str
