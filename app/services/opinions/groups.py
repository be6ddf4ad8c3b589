"""Opinion groups of an agree/disagree conversation, in the manner of Pol.is, read from the stored run.

The page never computes groups: it shows the newest stored result (aggregates only, see opinion_runs) and,
when votes have changed since, queues one recomputation (debounced; see opinion_runs.is_due).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import current_app

from app.extensions import db
from app.models import ContentStatus, Conversation, Idea, OpinionRun, RunStatus, VotingMode
from app.services.opinions import runs
from app.services.access import get_conversation
from app.services.common.errors import NotFound
from app.services.common.participants import Participant
from app.services.opinions.opinion_map import OpinionMap, build_map
from app.services.themes.quotes import quotable


@dataclass
class GroupStatement:
    """An idea that sets a group apart: how the group voted on it against everyone else."""

    idea: Idea
    direction: str  # "agree" or "disagree"
    percent_group: int | None  # None: fewer than k of the group voted on it, so no figure is kept
    percent_others: int | None


@dataclass
class GroupCard:
    number: int
    size: int
    statements: list[GroupStatement]


@dataclass
class SharedStatement:
    """A consensus or divisive idea with the share of each group that agreed (of those who agreed or disagreed)."""

    idea: Idea
    percent_agree_by_group: list[int | None]  # None: fewer than k of that group agreed or disagreed


@dataclass
class OpinionsView:
    conversation: Conversation
    run: OpinionRun | None = None  # the stored result shown; None until the first run finishes
    updating: bool = False  # a run is queued or running
    failed: OpinionRun | None = None  # the newest run failed (set for the conversation's facilitators only)
    voters: int = 0
    grouped: int = 0
    ideas_voted: int = 0
    min_votes: int = 0
    min_voters: int = 0
    groups: list[GroupCard] = field(default_factory=list)
    consensus: list[SharedStatement] = field(default_factory=list)
    divisive: list[SharedStatement] = field(default_factory=list)
    map: OpinionMap | None = None  # None: fewer than 2k people grouped, or a run stored before maps existed


def opinion_groups_for(participant: Participant, conversation_id: int) -> OpinionsView:
    """The stored opinion groups, queueing a recomputation when votes changed; NotFound unless agree/disagree."""
    conversation = get_conversation(participant, conversation_id)
    if conversation.voting_mode != VotingMode.AGREE:
        raise NotFound("This conversation does not use agree and disagree votes.")
    if runs.is_due(conversation):
        runs.request_opinion_run(conversation.id, trigger="view")
    view = OpinionsView(conversation, min_voters=current_app.config["CHORUS_MIN_GROUP_SIZE"])
    latest = runs.latest_run(conversation.id)
    facilitates = conversation.organisation_id in participant.facilitates
    if latest is not None and latest.status in runs.PENDING and not runs.is_stale(latest):
        view.updating = True
    elif latest is not None and latest.status != RunStatus.SUCCEEDED and facilitates:
        view.failed = latest  # failed, or its worker died
    view.run = runs.latest_run(conversation.id, succeeded=True)
    if view.run is not None:
        _fill(view, view.run)
    return view


def _fill(view: OpinionsView, run: OpinionRun) -> None:
    """Copy the stored aggregates into the view, showing only ideas that are still published."""
    view.voters, view.grouped = run.voters, run.grouped
    view.ideas_voted, view.min_votes = run.ideas_voted, run.min_votes
    if run.grouped < view.min_voters or len(run.groups) < 2 or \
            min(group["size"] for group in run.groups) < view.min_voters:
        return  # no two groups of k people (also a result stored before groups under k were folded)
    wanted = {s["idea_id"] for g in run.groups for s in g["statements"]} | \
        {s["idea_id"] for s in run.consensus} | {s["idea_id"] for s in run.divisive}
    # A hidden or withdrawn idea leaves the page at once, before the next run.
    # A statement that could identify someone never stands for a group (issue #10.8).
    ideas = {i.id: i for i in quotable(db.session.scalars(
        sa.select(Idea).where(Idea.id.in_(wanted), Idea.status == ContentStatus.PUBLISHED)))}
    view.groups = [
        GroupCard(number, group["size"], [
            GroupStatement(ideas[s["idea_id"]], s["direction"], s["percent_group"], s["percent_others"])
            for s in group["statements"] if s["idea_id"] in ideas])
        for number, group in enumerate(run.groups, start=1)
    ]
    view.map = build_map(run.map_points, [group["size"] for group in run.groups], view.min_voters)
    view.consensus = _shared(run.consensus, ideas)
    view.divisive = _shared(run.divisive, ideas)


def _shared(stored: list[dict], ideas: dict[str, Idea]) -> list[SharedStatement]:
    return [SharedStatement(ideas[s["idea_id"]], s["percents"]) for s in stored if s["idea_id"] in ideas]
