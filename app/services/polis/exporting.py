"""Exporting an agree/disagree conversation in Pol.is's export layout, for Pol.is's own analysis tools.

No pseudonym leaves Chorus: voters get sequential participant numbers in a freshly shuffled order, so the numbers
say nothing about the stored pseudonyms (rule A3), and two exports number people differently. Votes have no time
in Chorus; every timestamp is the idea's posting hour (comments) or the export's hour (votes). Authors are never
linkable to voters, so author-id and n-comments are left empty. Only published ideas and their votes are exported,
and only when at least k people voted (fewer would hand out a few known people's voting records).
"""

from __future__ import annotations

import csv
import io
import secrets
import zipfile
from collections import defaultdict
from datetime import datetime, timezone

import sqlalchemy as sa
from flask import current_app

from app.extensions import db
from app.models import ContentStatus, Conversation, Idea, Vote, VotingMode
from app.models.base import this_hour
from app.services.common.errors import NotAllowedNow
from app.services.opinions.runs import latest_run
from app.services.triage.exports import neutralise

COMMENT_HEADER = ["timestamp", "datetime", "comment-id", "author-id", "agrees", "disagrees", "moderated", "comment-body"]
VOTE_HEADER = ["timestamp", "datetime", "comment-id", "voter-id", "vote"]


def _stamp(moment: datetime) -> tuple[str, str]:
    aware = moment.replace(tzinfo=timezone.utc)
    return str(int(aware.timestamp() * 1000)), aware.strftime("%a %b %d %H:%M:%S UTC %Y")


def _csv(rows: list[list[object]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue().encode()


def export_files(conversation: Conversation) -> dict[str, bytes]:
    """comments.csv, votes.csv, participants-votes.csv and summary.csv for an agree/disagree conversation."""
    if conversation.voting_mode != VotingMode.AGREE:
        raise NotAllowedNow("Only conversations with agree and disagree votes can be exported for Pol.is.")
    ideas = list(db.session.execute(
        sa.select(Idea.id, Idea.body, Idea.created_hour).where(
            Idea.conversation_id == conversation.id, Idea.status == ContentStatus.PUBLISHED)
        .order_by(Idea.created_hour, Idea.id)))
    number_of = {idea_id: n for n, (idea_id, _, _) in enumerate(ideas)}
    votes = [(idea_id, voter, value) for idea_id, voter, value in db.session.execute(
        sa.select(Vote.idea_id, Vote.voter, Vote.value).where(Vote.conversation_id == conversation.id))
        if idea_id in number_of]
    voters = sorted({voter for _, voter, _ in votes})
    k = current_app.config["CHORUS_MIN_GROUP_SIZE"]
    if len(voters) < k:
        raise NotAllowedNow(f"Fewer than {k} people have voted, so the votes cannot be exported: each person's "
                            "votes would be easy to pick out.")
    secrets.SystemRandom().shuffle(voters)
    participant_of = {voter: n for n, voter in enumerate(voters)}
    del voters
    table: dict[int, dict[int, int]] = defaultdict(dict)
    for idea_id, voter, value in votes:
        table[participant_of[voter]][number_of[idea_id]] = value
    del participant_of, votes
    agrees: defaultdict[int, int] = defaultdict(int)
    disagrees: defaultdict[int, int] = defaultdict(int)
    for row in table.values():
        for comment, value in row.items():
            agrees[comment] += value == 1
            disagrees[comment] += value == -1
    comments: list[list[object]] = [list(COMMENT_HEADER)]
    for idea_id, body, hour in ideas:
        n = number_of[idea_id]
        comments.append([*_stamp(hour), n, "", agrees[n], disagrees[n], 1, neutralise(body)])
    now = _stamp(this_hour())
    vote_rows: list[list[object]] = [list(VOTE_HEADER)]
    for participant in sorted(table):
        for comment in sorted(table[participant]):
            vote_rows.append([*now, comment, participant, table[participant][comment]])
    matrix: list[list[object]] = [["participant", "group-id", "n-comments", "n-votes", "n-agree", "n-disagree",
                                   *range(len(ideas))]]
    for participant in sorted(table):
        row = table[participant]
        matrix.append([participant, "", "", len(row), sum(v == 1 for v in row.values()),
                       sum(v == -1 for v in row.values()), *[row.get(c, "") for c in range(len(ideas))]])
    run = latest_run(conversation.id, succeeded=True)
    groups = len(run.groups) if run is not None else 0
    summary: list[list[object]] = [["topic", neutralise(conversation.title)], ["url", ""], ["voters", len(table)],
               ["voters-in-conv", len(table)], ["comments", len(ideas)], ["groups", groups],
               ["conversation-description", neutralise(conversation.description)]]
    return {"comments.csv": _csv(comments), "votes.csv": _csv(vote_rows),
            "participants-votes.csv": _csv(matrix), "summary.csv": _csv(summary)}


def export_zip(conversation: Conversation) -> bytes:
    """The four files in one zip, as a facilitator downloads them."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in export_files(conversation).items():
            archive.writestr(name, data)
    return buffer.getvalue()
