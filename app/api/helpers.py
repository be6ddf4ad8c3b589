"""Parsing JSON bodies and turning models into JSON for the API."""

from __future__ import annotations

from typing import Any

from flask import abort, request

from app.views import acting
from app.models import Comment, Conversation, Question
from app.services.access import visible_audience
from app.services.content.listing import IdeaCard
from app.services.content.voting import VoteResult
from app.urls import MAX_DB_INT


def json_body(*required: str) -> dict[str, Any]:
    """The request's JSON object, or a 415/400 error that says what is wrong."""
    if not request.is_json:
        abort(415, "Send the request body as JSON with Content-Type: application/json.")
    try:
        data = request.get_json(silent=True)
    except RecursionError:  # absurdly deep nesting; the JSON decoder gives up before `silent` can help
        data = None
    if not isinstance(data, dict):
        abort(400, "The request body is not a valid JSON object.")
    missing = [name for name in required if name not in data]
    if missing:
        abort(400, "Missing field: " + ", ".join(missing))
    return data


def is_db_id(value: Any) -> bool:
    """True for a whole number that could be a row id (JSON `true` and 2**64 are not)."""
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_DB_INT


def text_field(data: dict[str, Any], name: str) -> str:
    value = data.get(name)
    if not isinstance(value, str):
        abort(400, f"The field {name!r} must be a string.")
    return value


def confirm_flag(data: dict[str, Any]) -> bool:
    """`confirm_identifying: true` posts text even though it seems to hold identifying details."""
    value = data.get("confirm_identifying", False)
    if not isinstance(value, bool):
        abort(400, "confirm_identifying must be true or false.")
    return value


def idempotency_key(data: dict[str, Any]) -> str | None:
    """A client token that makes a retried POST return the first result instead of a duplicate."""
    token = request.headers.get("Idempotency-Key") or data.get("client_token")
    if token is None:
        return None
    if not isinstance(token, str) or not 8 <= len(token) <= 200:
        abort(400, "Idempotency-Key must be a string of 8 to 200 characters.")
    return token


def iso_hour(value: Any) -> str | None:
    return value.strftime("%Y-%m-%dT%H:00:00Z") if value else None


def conversation_json(conversation: Conversation, *, full: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": conversation.id,
        "title": conversation.title,
        "kind": conversation.kind,
        "status": conversation.status,
        "accepting": conversation.is_accepting(),
        "voting_mode": conversation.voting_mode,
        "comments_enabled": conversation.comments_enabled,
        "named_mode": conversation.named_mode,
        "opens_at": conversation.opens_at.isoformat() + "Z" if conversation.opens_at else None,
        "closes_at": conversation.closes_at.isoformat() + "Z" if conversation.closes_at else None,
        "organisation": conversation.organisation.name,
        "batch_release": conversation.batch_release,
        "batch_size": conversation.batch_size,
        "batch_max_wait_hours": conversation.batch_max_wait_hours,
    }
    if full:
        data["description"] = conversation.description
        # Never a trust outside the caller's own partnership, even in an audience stored before the rule held.
        data["audience"] = [org.name for org in visible_audience(acting(), conversation)]
        data["questions"] = [question_json(q) for q in conversation.questions]
    return data


def question_json(question: Question) -> dict[str, Any]:
    return {"id": question.id, "conversation_id": question.conversation_id, "text": question.text,
            "description": question.description, "position": question.position}


def vote_json(result: VoteResult) -> dict[str, Any]:
    """A vote's answer: only what the voter needs (the idea's counts, or null while hidden, and their own vote)."""
    return {"id": result.idea_id, "votes": result.votes, "votes_hidden": result.votes is None, "my_vote": result.my_vote}


def idea_json(card: IdeaCard) -> dict[str, Any]:
    idea = card.idea
    votes = (
        None if card.counts_hidden
        else {"support": card.support} if idea.conversation.voting_mode == "support"
        else {"agree": card.agree, "disagree": card.disagree, "pass": card.passes}
    )
    data = {
        "id": idea.id,
        "conversation_id": idea.conversation_id,
        "question_id": idea.question_id,
        "body": idea.body,
        "created_hour": iso_hour(idea.created_hour),
        "edited": idea.edited,
        "moderator_edited": idea.moderator_edited,
        "status": idea.status,
        "source": idea.source,
        "votes": votes,
        "votes_hidden": card.counts_hidden,
        "comment_count": card.comments,
        "my_vote": card.my_vote,
        "mine": card.mine,
    }
    if idea.author_name is not None:
        data["author_name"] = idea.author_name
    if idea.conversation.kind == "ideas_lab":
        data["stage"], data["stage_reason"] = idea.stage, idea.stage_reason
    return data


def comment_json(comment: Comment, mine: bool) -> dict[str, Any]:
    data = {
        "id": comment.id,
        "idea_id": comment.idea_id,
        "body": comment.body,
        "created_hour": iso_hour(comment.created_hour),
        "edited": comment.edited,
        "moderator_edited": comment.moderator_edited,
        "status": comment.status,
        "mine": mine,
    }
    if comment.author_name is not None:
        data["author_name"] = comment.author_name
    return data
