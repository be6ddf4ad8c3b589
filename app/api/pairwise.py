"""API: pairwise comparisons (the lead's setup and ranking, staff answers), "You said, we did" and outcome notices."""

from __future__ import annotations

from flask import current_app
from werkzeug.wrappers import Response
from flask_login import current_user

from app import notice_cookie
from app.api import bp, for_role
from app.api.schemas.pairwise import (AnswerBody, Compared, ConversationOutcomes, NextPair, OutcomeNotice,
                                      OutcomeNotices, OutcomesPage, Pair, PairItem, Ranked, Ranking, Recorded, Setup,
                                      SetupBody, ThemeOutcome)
from app.api.schemas.triage import Outcome
from app.api.spec import READ, WRITE, parsed_json, responses, validate
from app.models import Conversation, Role
from app.services import access
from app.services.triage import outcomes, pairs, pairwise
from app.views import acting


def _setup(conversation: Conversation) -> Setup:
    chosen = pairs.setup(conversation)
    return Setup(items=chosen.items.value, question_id=chosen.question.id if chosen.question else None,
                 compared=[Compared(id=i.id, label=i.label) for i in pairwise.items(conversation)])


def _page(page: outcomes.OutcomesPage) -> OutcomesPage:
    return OutcomesPage(title=page.title, conversations=[ConversationOutcomes(
        id=conversation.id, title=conversation.title, themes=[ThemeOutcome(
            id=i.theme.id, label=i.theme.label, status=i.status.value, public_reason=i.public_reason or None,
            outcome=Outcome.of(i.outcome)) for i in items]) for conversation, items in page.conversations])


def _side(item: pairwise.Item) -> PairItem:
    return PairItem(id=item.id, label=item.label, summary=item.summary)


@bp.get("/manage/conversations/<int:conversation_id>/ranking")
@for_role(Role.LEAD)
@validate(resp=responses(200, Ranking, READ))
def pairwise_ranking(conversation_id: int) -> Ranking:
    """Bradley-Terry ranking from pairwise answers, with 95% intervals (change-hub leads; others get 404)."""
    conversation = access.get_led_conversation(acting().leads, conversation_id)
    rows = [Ranked(id=r.item.id, label=r.item.label, score=r.score, lower=r.lower, upper=r.upper,
                   comparisons=r.comparisons) for r in pairwise.ranking(conversation)]
    kind = pairwise.compared_kind(conversation)
    return Ranking(compared=kind, **{"themes" if kind == "theme" else "ideas": rows})


@bp.get("/manage/conversations/<int:conversation_id>/pairwise")
@for_role(Role.LEAD)
@validate(resp=responses(200, Setup, READ))
def pairwise_setup_get(conversation_id: int) -> Setup:
    """What staff compare in pairs: themes, one question's ideas, or ideas the lead picked (change-hub leads; others get 404)."""
    return _setup(access.get_led_conversation(acting().leads, conversation_id))


@bp.put("/manage/conversations/<int:conversation_id>/pairwise")
@for_role(Role.LEAD)
@validate(json=SetupBody, resp=responses(200, Setup, WRITE))
def pairwise_setup_put(conversation_id: int) -> Setup:
    """Choose what staff compare; `picked` replaces the picked ideas of `question_id` (change-hub leads; others get 404)."""
    conversation = access.get_led_conversation(acting().leads, conversation_id)
    data: SetupBody = parsed_json()
    if data.picked is not None:
        pairs.configure(conversation, data.items, data.question_id, data.picked)
    else:
        pairs.choose_items(conversation, data.items, data.question_id)
    return _setup(conversation)


@bp.get("/conversations/<int:conversation_id>/pairs/next")
@validate(resp=responses(200, NextPair, READ))
def next_pair(conversation_id: int) -> NextPair:
    """The next pair of themes or ideas to compare (null when there are none left for you)."""
    pair = pairwise.next_comparison(acting(), conversation_id)
    if pair is None:
        return NextPair(pair=None)
    return NextPair(pair=Pair(kind=pair.left.kind, left=_side(pair.left), right=_side(pair.right),
                              answered=pair.answered))


@bp.post("/conversations/<int:conversation_id>/pairs")
@validate(json=AnswerBody, resp=responses(201, Recorded, WRITE))
def answer_pair(conversation_id: int) -> tuple[Recorded, int]:
    """Answer a pair: left, right or skip (can't decide); stored with no user id."""
    data: AnswerBody = parsed_json()
    pairwise.record_choice(acting(), conversation_id, data.left_id, data.right_id, data.choice)
    return Recorded(recorded=True), 201


@bp.get("/conversations/<int:conversation_id>/outcomes")
@validate(resp=responses(200, OutcomesPage, READ))
def conversation_outcomes(conversation_id: int) -> OutcomesPage:
    """"You said, we did" for a conversation."""
    return _page(outcomes.conversation_outcomes(acting(), conversation_id))


@bp.get("/organisations/<int:organisation_id>/outcomes")
@validate(resp=responses(200, OutcomesPage, READ))
def organisation_outcomes(organisation_id: int) -> OutcomesPage:
    """"You said, we did" across an organisation you belong to."""
    return _page(outcomes.organisation_outcomes(acting(), organisation_id))


@bp.get("/me/outcome-notices")
@validate(resp=responses(200, OutcomeNotices, (401,)))
def outcome_notices() -> OutcomeNotices:
    """Updated outcomes on themes you contributed to or voted on, worked out now from your own pseudonyms."""
    if getattr(current_user, "is_guest", False):
        return OutcomeNotices(notices=[])  # guests have no account to remember what they have seen
    found = outcomes.outcome_notices(acting(), notice_cookie.dismissed())
    return OutcomeNotices(notices=[OutcomeNotice(conversation_id=n.conversation.id, theme_id=n.theme.id,
                                                 label=n.theme.label, updated=n.is_update) for n in found])


@bp.post("/me/outcome-notices/seen")
@validate(resp=responses(204, None, (400, 401)))
def outcome_notices_seen() -> Response:
    """Dismiss the current notices; remembered only by the chorus_seen cookie this response sets, never on the server."""
    response = current_app.make_response(("", 204))
    if not getattr(current_user, "is_guest", False):
        notice_cookie.remember(response, [n.token for n in outcomes.outcome_notices(acting(), notice_cookie.dismissed())])
    return response
