"""API: the outreach monitor (facilitators) and the Freedom to Speak Up route (authors and Guardians)."""

from __future__ import annotations

from flask import abort, url_for
from flask_login import current_user

from app.api import bp, for_role
from app.api.schemas.common import iso_hour
from app.api.schemas.reach import (MessageBody, MyThreads, Outreach, Reach, ReachBreakdown, SendBody, SentPost,
                                   SpeakUpMessage, SpeakUpQueue, SpeakUpThread, StatusBody, StatusQuery)
from app.api.spec import POSTING, READ, WRITE, parsed_json, parsed_query, responses, validate
from app.models import Role
from app.models import SpeakUpThread as ThreadRow
from app.ratelimit import posting_limit
from app.services import access
from app.services.outreach.monitor import Dimension, outreach_figures
from app.services.outreach.monitor import Reach as ReachRow
from app.services.speakup import guardian, threads
from app.services.speakup.guardian import QueueItem
from app.services.speakup.guardian import SentPost as SentRow
from app.views import acting


def _reach(row: ReachRow) -> Reach:
    return Reach(group=row.label, participants=row.participants, headcount=row.headcount, share=row.share,
                 ways_to_reach=list(row.methods))


def _breakdown(dimension: Dimension) -> ReachBreakdown:
    return ReachBreakdown(groups=[_reach(r) for r in dimension.rows], in_other=dimension.in_other)


@bp.get("/conversations/<int:conversation_id>/outreach")
@for_role(Role.FACILITATOR)
@validate(resp=responses(200, Outreach, READ))
def outreach(conversation_id: int) -> Outreach:
    """The outreach monitor (facilitators): share of the workforce baseline per organisation and staff group, from the
    hourly batch; groups below the minimum group size, in people or in staff, are never named with a figure."""
    figures = outreach_figures(access.get_managed_conversation(acting().facilitates, conversation_id))
    return Outreach(conversation_id=conversation_id, available=figures.available, min_group_size=figures.k,
                    updated_at=iso_hour(figures.updated_at), participants=figures.participants,
                    without_baseline=figures.without_baseline, by_organisation=_breakdown(figures.by_organisation),
                    by_staff_group=_breakdown(figures.by_staff_group), least_heard=[_reach(r) for r in figures.least_heard])


def _post(post: SentRow) -> SentPost:
    return SentPost(kind=post.kind, body=post.body, conversation=post.conversation, question=post.question,
                    on_idea=post.on_idea, hour=iso_hour(post.created_hour))


def _thread(thread: ThreadRow, post: SentRow) -> SpeakUpThread:
    return SpeakUpThread(id=thread.id, conversation_id=thread.conversation_id, status=thread.status,
                         replies=thread.replies, post=_post(post),
                         messages=[SpeakUpMessage(from_guardian=m.from_guardian, guardian_name=m.guardian_name,
                                                  body=m.body, hour=iso_hour(m.created_hour)) for m in thread.messages])


def _item(item: QueueItem) -> SpeakUpThread:
    return _thread(item.thread, item.post)


def _own(found: threads.AuthorThread) -> SpeakUpThread:
    return _thread(found.thread, guardian.sent_post(found.thread))


def _send(kind: str, item_id: str) -> tuple[SpeakUpThread, int, dict[str, str]]:
    data: SendBody = parsed_json()
    existing = threads.thread_of(acting(), kind, item_id)
    thread = threads.send_to_guardian(acting(), kind, item_id, data.message)
    found = threads.author_thread(acting(), thread.conversation_id, thread.id)
    location = url_for("api.my_speak_up_thread", conversation_id=thread.conversation_id, thread_id=thread.id)
    return _own(found), 200 if existing else 201, {"Location": location}


_SENT = {"HTTP_200": (SpeakUpThread, "Already sent: the thread (with the message added, if any)")}


@bp.post("/ideas/<idea_id>/speak-up")
@posting_limit
@validate(json=SendBody, resp=responses(201, SpeakUpThread, POSTING, **_SENT))
def send_idea_to_guardian(idea_id: str) -> tuple[SpeakUpThread, int, dict[str, str]]:
    """Send your own idea to the Freedom to Speak Up Guardian (409 when the organisation has none)."""
    return _send("idea", idea_id)


@bp.post("/comments/<comment_id>/speak-up")
@posting_limit
@validate(json=SendBody, resp=responses(201, SpeakUpThread, POSTING, **_SENT))
def send_comment_to_guardian(comment_id: str) -> tuple[SpeakUpThread, int, dict[str, str]]:
    """Send your own comment to the Freedom to Speak Up Guardian (409 when the organisation has none)."""
    return _send("comment", comment_id)


@bp.get("/conversations/<int:conversation_id>/speak-up")
@validate(resp=responses(200, MyThreads, READ))
def my_speak_up_threads(conversation_id: int) -> MyThreads:
    """Your own Speak Up threads in a conversation, with the Guardian's replies."""
    conversation = access.get_conversation(acting(), conversation_id)
    return MyThreads(threads=[_own(found) for found in threads.my_threads(acting(), conversation)])


@bp.get("/conversations/<int:conversation_id>/speak-up/<thread_id>")
@validate(resp=responses(200, SpeakUpThread, READ))
def my_speak_up_thread(conversation_id: int, thread_id: str) -> SpeakUpThread:
    """One of your own Speak Up threads."""
    return _own(threads.author_thread(acting(), conversation_id, thread_id))


@bp.post("/conversations/<int:conversation_id>/speak-up/<thread_id>/messages")
@posting_limit
@validate(json=MessageBody, resp=responses(201, SpeakUpMessage, POSTING))
def write_to_guardian(conversation_id: int, thread_id: str) -> tuple[SpeakUpMessage, int]:
    """Write to the Guardian in your own thread (reopens a closed one)."""
    data: MessageBody = parsed_json()
    message = threads.author_message(acting(), conversation_id, thread_id, data.body)
    return SpeakUpMessage(from_guardian=False, guardian_name=None, body=message.body,
                          hour=iso_hour(message.created_hour)), 201


def _guardian_of() -> frozenset[int]:
    """The organisations where the caller is a Guardian; a 404 for anyone who is not one anywhere."""
    guardian_of = acting().guardian_of
    if not guardian_of:
        abort(404)
    return guardian_of


@bp.get("/guardian/threads")
@validate(query=StatusQuery, resp=responses(200, SpeakUpQueue, (400, 401, 404)))
def guardian_queue() -> SpeakUpQueue:
    """Guardians only: the threads sent to you, unread first (404 for anyone who is not a Guardian)."""
    guardian_of = _guardian_of()
    query: StatusQuery = parsed_query()
    counts = guardian.counts(guardian_of)
    return SpeakUpQueue(threads=[_item(i) for i in guardian.queue(guardian_of, query.status)], open=counts["open"],
                        unread=counts["unread"], closed=counts["closed"])


@bp.get("/guardian/threads/<thread_id>")
@validate(resp=responses(200, SpeakUpThread, READ))
def guardian_thread(thread_id: str) -> SpeakUpThread:
    """Guardians only: one thread, marked read."""
    return _item(guardian.read_thread(_guardian_of(), thread_id))


@bp.post("/guardian/threads/<thread_id>/replies")
@validate(json=MessageBody, resp=responses(201, SpeakUpMessage, WRITE))
def guardian_reply(thread_id: str) -> tuple[SpeakUpMessage, int]:
    """Guardians only: reply to the author, who reads it in "My ideas and comments"."""
    data: MessageBody = parsed_json()
    message = guardian.reply(_guardian_of(), current_user.display_name or "", thread_id, data.body)
    return SpeakUpMessage(from_guardian=True, guardian_name=message.guardian_name, body=message.body,
                          hour=iso_hour(message.created_hour)), 201


@bp.put("/guardian/threads/<thread_id>/status")
@validate(json=StatusBody, resp=responses(200, SpeakUpThread, WRITE))
def guardian_status(thread_id: str) -> SpeakUpThread:
    """Guardians only: close a thread you have finished with, or reopen it."""
    data: StatusBody = parsed_json()
    thread = guardian.set_status(_guardian_of(), thread_id, data.status)
    return _thread(thread, guardian.sent_post(thread))
