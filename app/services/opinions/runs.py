"""Opinion-group runs in the background (the adapter to nlp.opinions): queue, compute, store aggregates.

A run stores group sizes, the ideas that represent each group, consensus and divisive ideas with percentages
and counts. It never stores which voter pseudonym is in which group: the grouping exists only in the
worker's memory while the run computes. Runs keep only the hour they ran (rule A5); the few minutes between
recomputations are counted in this process's memory instead, so no exact time is stored next to the votes.
"""

from __future__ import annotations

import logging
import secrets
from datetime import datetime, timedelta

import numpy as np
import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from app import jobs, live
from app.jobs import outbox as job_outbox
from app.extensions import db
from app.models import ContentStatus, Conversation, ConversationStatus, Idea, OpinionRun, RunStatus, Vote, VotingMode
from app.models.base import this_hour, utcnow
from app.services.common.errors import NotAllowedNow, NotFound
from nlp.repness import StatementStat

log = logging.getLogger("chorus.opinions")
PENDING = (RunStatus.QUEUED, RunStatus.RUNNING)
# A run takes seconds; one queued or running for this long died with its worker.
STALE_RUN = timedelta(minutes=10)
STALE_MESSAGE = "The last update did not finish (the background worker may have stopped)."
DEAD_MESSAGE = "The last update stopped because its background worker stopped; the next update starts as usual."
SHOWN = 5  # statements kept per list: what the page shows


# --- queueing ------------------------------------------------------------------------------------

def latest_run(conversation_id: int, succeeded: bool = False) -> OpinionRun | None:
    """The newest run of a conversation (the newest succeeded one: what readers see)."""
    query = sa.select(OpinionRun).where(OpinionRun.conversation_id == conversation_id)
    if succeeded:
        query = query.where(OpinionRun.status == RunStatus.SUCCEEDED)
    return db.session.scalar(query.order_by(OpinionRun.id.desc()).limit(1))


def is_stale(run: OpinionRun, now: datetime | None = None) -> bool:
    """A queued or running run whose worker has certainly gone: stored as an hour, so allow that hour too."""
    return run.status in PENDING and run.created_at <= (now or utcnow()) - STALE_RUN - timedelta(hours=1)


def _queued_at() -> dict[int, datetime]:
    """conversation id -> when this process last queued a run: in memory only, per app, never stored."""
    return current_app.extensions.setdefault("chorus_opinion_runs_queued", {})


def _recently_queued(conversation_id: int, now: datetime) -> bool:
    """This process queued a run within CHORUS_OPINIONS_INTERVAL_MINUTES (the debounce)."""
    interval = timedelta(minutes=current_app.config.get("CHORUS_OPINIONS_INTERVAL_MINUTES", 2))
    queued = _queued_at().get(conversation_id)
    return queued is not None and now - queued < interval


def is_due(conversation: Conversation, now: datetime | None = None) -> bool:
    """Votes changed since the stored result, nothing is queued or running, and the last run is old enough."""
    now = now or utcnow()
    current = latest_run(conversation.id, succeeded=True)
    if current is not None and not live.changed_since(conversation.id, current.vote_version):
        return False
    latest = latest_run(conversation.id)
    if latest is None:
        return True
    if latest.status in PENDING and not is_stale(latest, now):
        return False
    return not _recently_queued(conversation.id, now)


def request_opinion_run(conversation_id: int, trigger: str = "view") -> OpinionRun:
    """Queue a run unless one is already queued or running (a unique index guarantees one); returns the run."""
    conversation = db.session.get(Conversation, conversation_id)
    if conversation is None:
        raise NotFound("We could not find that conversation.")
    if conversation.voting_mode != VotingMode.AGREE:
        raise NotFound("This conversation does not use agree and disagree votes.")
    _expire_stale_runs(conversation_id)
    run = OpinionRun(conversation_id=conversation_id, trigger=trigger)
    try:
        with db.session.begin_nested():
            db.session.add(run)
            db.session.flush()
            job_outbox.defer("opinions.run", run.id)  # with the run: Redis being away delays it, never strands it
    except IntegrityError:  # another request queued one first
        db.session.commit()  # keep the expiry of stale runs
        pending = db.session.scalar(sa.select(OpinionRun).where(
            OpinionRun.conversation_id == conversation_id, OpinionRun.status.in_(PENDING)))
        if pending is not None:
            return pending
        raise
    db.session.commit()
    _queued_at()[conversation_id] = utcnow()
    job_outbox.dispatch()
    return run


def fail_dead_runs() -> list[int]:
    """Opinion runs whose worker died are recorded as failed, so the next run can start (the scheduler tick)."""
    from app.services.common.dead_runs import fail_dead_runs as fail

    return fail(OpinionRun, "opinions.run", DEAD_MESSAGE)


def _expire_stale_runs(conversation_id: int) -> None:
    """Record runs whose worker died as failed (flushes only), freeing the one pending slot."""
    for run in db.session.scalars(sa.select(OpinionRun).where(
            OpinionRun.conversation_id == conversation_id, OpinionRun.status.in_(PENDING))):
        if is_stale(run):
            run.status, run.finished_at, run.error = RunStatus.FAILED, this_hour(), STALE_MESSAGE
    db.session.flush()


def run_scheduled(now: datetime | None = None) -> list[int]:
    """Queue runs for open agree/disagree conversations whose votes changed (the scheduler tick); returns ids."""
    conversations = db.session.scalars(sa.select(Conversation).where(
        Conversation.status == ConversationStatus.OPEN, Conversation.voting_mode == VotingMode.AGREE,
        Conversation.live_seq > 0))
    due = [c.id for c in conversations if is_due(c, now)]
    for conversation_id in due:
        request_opinion_run(conversation_id, trigger="schedule")
    return due


# --- computing -----------------------------------------------------------------------------------

@jobs.job("opinions.run")
def execute_opinion_run(run_id: int) -> None:
    """Compute a conversation's opinion groups and store the aggregates; a failure keeps the previous result."""
    run = db.session.get(OpinionRun, run_id)
    if run is None or run.status != RunStatus.QUEUED:
        return
    run.status = RunStatus.RUNNING
    db.session.commit()
    try:
        conversation = db.session.get_one(Conversation, run.conversation_id)
        # The live event number read before the votes: a vote arriving meanwhile has a later event, so the result
        # is marked stale, never wrongly current. Votes write no counter of their own (no hot row).
        run.vote_version = conversation.live_seq
        _compute(run, conversation)
        run.status, run.finished_at = RunStatus.SUCCEEDED, this_hour()
        _forget_older_runs(run, keep_succeeded=False)
        db.session.commit()
    except Exception as error:
        db.session.rollback()
        log.exception("Opinion run %s failed", run_id)
        run = db.session.get(OpinionRun, run_id)
        if run is None:  # the conversation was deleted meanwhile
            return
        run.status, run.finished_at = RunStatus.FAILED, this_hour()
        run.error = f"The last update stopped with an error ({type(error).__name__})."
        _forget_older_runs(run, keep_succeeded=True)
        db.session.commit()


def _forget_older_runs(run: OpinionRun, keep_succeeded: bool) -> None:
    """Keep only what readers need: the newest result and the newest failure (fewer snapshots to compare)."""
    forgotten = [RunStatus.FAILED] if keep_succeeded else [RunStatus.FAILED, RunStatus.SUCCEEDED]
    db.session.execute(sa.delete(OpinionRun).where(
        OpinionRun.conversation_id == run.conversation_id, OpinionRun.id < run.id, OpinionRun.status.in_(forgotten)))


def _compute(run: OpinionRun, conversation: Conversation) -> None:
    from nlp.opinions import matrix_from_votes, min_votes, opinion_groups
    from app.services.opinions.opinion_map import map_points

    rows = db.session.execute(
        sa.select(Vote.voter, Vote.idea_id, Vote.value).join(Idea, Idea.id == Vote.idea_id).where(
            Vote.conversation_id == conversation.id, Idea.status == ContentStatus.PUBLISHED)
    ).all()
    rows_of = _row_labels(conversation, {voter for voter, _, _ in rows})
    voters, statements, matrix = matrix_from_votes((rows_of[v], i, float(value)) for v, i, value in rows)
    run.voters, run.ideas_voted, run.min_votes = len(voters), len(statements), min_votes(len(statements))
    run.grouped, run.groups, run.consensus, run.divisive, run.map_points = 0, [], [], [], None
    if not rows:
        return
    k = current_app.config["CHORUS_MIN_GROUP_SIZE"]
    result = opinion_groups(voters, statements, matrix, seed=0, min_group_size=k)
    run.grouped = len(result.group_of)
    if run.grouped < k or result.k < 2 or min(len(g.participant_ids) for g in result.groups) < k:
        return  # no two groups of k people: describing them would expose how individuals voted
    # Who is in which group exists only here, in memory, for the percentages below.
    labels = np.array([result.group_of.get(v, -1) for v in voters])
    column = {s: j for j, s in enumerate(statements)}
    rates = _agree_rates(matrix, labels, result.k, k)
    run.groups = [{"size": len(group.participant_ids),
                   "statements": [_representative(matrix, labels, group.id, column[stat.statement_id], stat, k)
                                  for stat in group.representative[:SHOWN]]}
                  for group in result.groups]
    run.map_points = map_points(result, k)
    run.consensus = [{"idea_id": s, "percents": [_percent(r) for r in rates[:, column[s]]]}
                     for s in result.consensus[:SHOWN]]
    run.divisive = [{"idea_id": s, "percents": [_percent(r) for r in rates[:, column[s]]]}
                    for s in result.divisive[:SHOWN]]


def _row_labels(conversation: Conversation, voters: set[str]) -> dict[str, str]:
    """Opaque row labels for the vote matrix, in an order no dump can reproduce.

    Rows sorted by the stored voter pseudonym would make those pseudonyms an input to the groups people see
    (k-means starts from row order); a key of its own purpose keeps runs stable without that link (rule A3).
    """
    from app.crypto import tag
    from app.services.common.keys import conversation_key

    try:
        key = conversation_key(conversation)
        ordered = sorted(voters, key=lambda v: tag(key, "opinion-row", v))
    except NotAllowedNow:  # the key is destroyed: a one-off random order links nothing either
        ordered = list(voters)
        secrets.SystemRandom().shuffle(ordered)
    return {voter: str(n) for n, voter in enumerate(ordered)}


def _representative(matrix: np.ndarray, labels: np.ndarray, group: int, j: int,
                    stat: StatementStat, k: int) -> dict:
    inside, outside = labels == group, (labels >= 0) & (labels != group)
    value = 1 if stat.direction == "agree" else -1
    return {"idea_id": stat.statement_id, "direction": stat.direction,
            "percent_group": _percent(_share(matrix, inside, j, value, k)),
            "percent_others": _percent(_share(matrix, outside, j, value, k))}


def _percent(value: float | None) -> int | None:
    return None if value is None or np.isnan(value) else int(round(100 * value))


def _agree_rates(matrix: np.ndarray, labels: np.ndarray, groups: int, k: int) -> np.ndarray:
    """Per group and statement: agreed / (agreed + disagreed); NaN where fewer than k of the group voted either way.

    A percentage over fewer than k people would describe those few people's votes, so it is not kept.
    """
    rates = np.full((groups, matrix.shape[1]), np.nan)
    for g in range(groups):
        rows = matrix[labels == g]
        agree, disagree = (rows == 1).sum(axis=0), (rows == -1).sum(axis=0)
        enough = (agree + disagree) >= k
        rates[g, enough] = agree[enough] / (agree + disagree)[enough]
    return rates


def _share(matrix: np.ndarray, rows: np.ndarray, column: int, value: int, k: int) -> float | None:
    """Of these voters who saw a statement (agree, disagree or pass), the share who voted value; None under k."""
    seen = ~np.isnan(matrix[rows, column])
    return float((matrix[rows, column] == value).sum() / seen.sum()) if seen.sum() >= k else None
