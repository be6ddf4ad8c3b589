"""API: ideas, comments and votes."""

from __future__ import annotations

from flask import abort, request, url_for

from app.api import bp
from app.api.schemas.content import Comment, Idea, IdeaPage, IdeasQuery, IdeaWithComments, NewPostBody, PostBody, Vote, VoteBody
from app.api.spec import POSTING, parsed_json, parsed_query, responses, validate
from app.models import ContentStatus
from app.models import Idea as IdeaRow
from app.ratelimit import posting_limit
from app.services.content import comments, ideas, voting
from app.services.content.listing import IdeaCard, idea_detail, list_ideas, new_card
from app.views import acting

_CREATED = {"HTTP_200": (Idea, "You had already sent this (same Idempotency-Key): the first result")}
_WITHDRAW = (400, 401, 404, 409, 429)


def _token(data: PostBody) -> str | None:
    """A client token that makes a retried POST return the first result instead of a duplicate."""
    token = request.headers.get("Idempotency-Key") or data.client_token
    if token is not None and not 8 <= len(token) <= 200:
        abort(400, "Idempotency-Key must be a string of 8 to 200 characters.")
    return token


def _idea(idea: IdeaRow) -> Idea:
    """A just-written idea: held ones (only their author sees them, in "mine") without the counts."""
    if idea.status != ContentStatus.PUBLISHED:
        return Idea.of(IdeaCard(idea=idea, mine=True))
    return Idea.of(idea_detail(acting(), idea.id).card)


@bp.get("/questions/<int:question_id>/ideas")
@validate(query=IdeasQuery, resp=responses(200, IdeaPage, (400, 401, 404)))
def question_ideas(question_id: int) -> IdeaPage:
    """One page of a question's ideas, in the order asked for."""
    query: IdeasQuery = parsed_query()
    result = list_ideas(acting(), question_id, query.sort, query.page, query.stage)
    return IdeaPage(ideas=[Idea.of(card) for card in result.cards], page=result.page, pages=result.pages,
                    total=result.total, sort=result.sort)


@bp.post("/questions/<int:question_id>/ideas")
@posting_limit
@validate(json=NewPostBody, resp=responses(201, Idea, POSTING, **_CREATED))
def post_idea(question_id: int) -> tuple[Idea, int, dict[str, str]]:
    """Post an idea; send Idempotency-Key (or client_token) to make a retry safe."""
    data: NewPostBody = parsed_json()
    person = acting()
    idea, created = ideas.post_idea(person, question_id, data.body, client_token=_token(data),
                                    allow_identifying=data.confirm_identifying, to_guardian=data.to_guardian)
    location = (url_for("api.get_idea", idea_id=idea.id) if idea.status == ContentStatus.PUBLISHED
                else url_for("api.mine", conversation_id=idea.conversation_id))
    if idea.status != ContentStatus.PUBLISHED:  # held for a moderator: only its author sees it, in "mine"
        return Idea.of(IdeaCard(idea=idea, mine=True)), 201 if created else 200, {"Location": location}
    # A new idea has no votes or comments yet: no need to count them (a repeated submission may have some).
    card = new_card(idea) if created else idea_detail(person, idea.id).card
    return Idea.of(card), 201 if created else 200, {"Location": location}


@bp.get("/ideas/<idea_id>")
@validate(resp=responses(200, IdeaWithComments))
def get_idea(idea_id: str) -> IdeaWithComments:
    """An idea with its comments."""
    detail = idea_detail(acting(), idea_id)
    return IdeaWithComments(**Idea.of(detail.card).model_dump(),
                            comments=[Comment.of(v.comment, v.mine) for v in detail.comments])


@bp.patch("/ideas/<idea_id>")
@posting_limit
@validate(json=PostBody, resp=responses(200, Idea, POSTING))
def edit_idea(idea_id: str) -> Idea:
    """Edit your own idea."""
    data: PostBody = parsed_json()
    return _idea(ideas.edit_idea(acting(), idea_id, data.body, allow_identifying=data.confirm_identifying))


@bp.delete("/ideas/<idea_id>")
@posting_limit
@validate(resp=responses(204, None, _WITHDRAW))
def withdraw_idea(idea_id: str) -> tuple[str, int]:
    """Withdraw your own idea."""
    ideas.withdraw_idea(acting(), idea_id)
    return "", 204


@bp.post("/ideas/<idea_id>/comments")
@posting_limit
@validate(json=NewPostBody, resp=responses(201, Comment, POSTING, HTTP_200=(Comment, "Already sent: the first result")))
def add_comment(idea_id: str) -> tuple[Comment, int, dict[str, str]]:
    """Comment on an idea (1 to 500 characters)."""
    data: NewPostBody = parsed_json()
    comment, created = comments.add_comment(acting(), idea_id, data.body, client_token=_token(data),
                                            allow_identifying=data.confirm_identifying, to_guardian=data.to_guardian)
    return Comment.of(comment, True), 201 if created else 200, {"Location": url_for("api.get_idea", idea_id=idea_id)}


@bp.patch("/comments/<comment_id>")
@posting_limit
@validate(json=PostBody, resp=responses(200, Comment, POSTING))
def edit_comment(comment_id: str) -> Comment:
    """Edit your own comment."""
    data: PostBody = parsed_json()
    comment = comments.edit_comment(acting(), comment_id, data.body, allow_identifying=data.confirm_identifying)
    return Comment.of(comment, True)


@bp.delete("/comments/<comment_id>")
@posting_limit
@validate(resp=responses(204, None, _WITHDRAW))
def withdraw_comment(comment_id: str) -> tuple[str, int]:
    """Withdraw your own comment."""
    comments.withdraw_comment(acting(), comment_id)
    return "", 204


@bp.put("/ideas/<idea_id>/vote")
@posting_limit
@validate(json=VoteBody, resp=responses(200, Vote, POSTING))
def cast_vote(idea_id: str) -> Vote:
    """Vote: support, or agree / disagree / pass; answers only the idea's counts and your vote."""
    return Vote.of(voting.cast_vote(acting(), idea_id, parsed_json().choice))


@bp.delete("/ideas/<idea_id>/vote")
@posting_limit
@validate(resp=responses(200, Vote, _WITHDRAW))
def withdraw_vote(idea_id: str) -> Vote:
    """Withdraw your vote; answers only the idea's counts."""
    return Vote.of(voting.withdraw_vote(acting(), idea_id))
