"""Opinion groups (issue #10 item 2): every group stored or shown has at least k people, and no figure about
fewer than k people (a small group, or the few of a group who voted on one idea) is stored or shown."""

from __future__ import annotations

import re

import sqlalchemy as sa

from app.extensions import db
from app.models import OpinionRun, RunStatus
from app.services.content import ideas
from app.services.opinions import runs
from app.services.content import voting

STATEMENTS = ["Open the staff gym at night", "Ban mobile phones in handovers", "More bank shifts at weekends",
              "Free parking for every shift", "Longer breaks on long days", "Rota published six weeks ahead",
              "Hot food at night"]
SPLIT = 4  # the camps split on the first four ideas and all agree on the rest
RARE = "Paint the night corridor a calmer colour"
CAMP = 12  # two camps of 12: above k (11), together 24
FEW = 3  # people of camp 0 who vote on the rare idea: a figure about them would describe 3 people


def _seed(make_user, make_conversation, as_participant, loners: list[list[str]]):  # type: ignore[no-untyped-def]
    """Two camps that split on four ideas and agree on three, plus `loners` who vote their own way."""
    conversation = make_conversation(voting_mode="agree")
    author = as_participant(make_user())
    question = conversation.questions[0].id
    posted = [ideas.post_idea(author, question, text)[0] for text in STATEMENTS]
    rare = ideas.post_idea(author, question, RARE)[0]
    for n in range(2 * CAMP):
        voter = as_participant(make_user())
        for j, idea in enumerate(posted):
            voting.cast_vote(voter, idea.id, "agree" if j >= SPLIT or j % 2 == n % 2 else "disagree")
        if n % 2 == 1 or n < 2 * FEW:  # all of camp 1, only FEW of camp 0
            voting.cast_vote(voter, rare.id, "agree" if n % 2 == 0 else "disagree")
    for choices in loners:
        voter = as_participant(make_user())
        for idea, choice in zip(posted, choices, strict=True):
            voting.cast_vote(voter, idea.id, choice)
    return conversation, posted, rare


def _stored(conversation_id: int) -> OpinionRun:
    db.session.expire_all()
    return db.session.scalar(sa.select(OpinionRun).where(OpinionRun.conversation_id == conversation_id,
                                                         OpinionRun.status == RunStatus.SUCCEEDED))


def _page(client, login, make_user, conversation_id: int) -> str:  # type: ignore[no-untyped-def]
    login(make_user())
    response = client.get(f"/conversations/{conversation_id}/opinions")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_tiny_opinion_group_is_never_stored_or_shown(app, client, login, make_user, make_conversation,
                                                       as_participant):
    k = app.config["CHORUS_MIN_GROUP_SIZE"]
    # A contrarian and a person who passes on everything: on their own, k-means gives them a group of 2.
    conversation, posted, rare = _seed(make_user, make_conversation, as_participant,
                                       [["disagree"] * len(STATEMENTS), ["pass"] * len(STATEMENTS)])
    runs.request_opinion_run(conversation.id)  # the inline runner computes it at once
    run = _stored(conversation.id)
    assert run.grouped >= k

    sizes = [group["size"] for group in run.groups]
    assert len(sizes) >= 2, "the two camps are still shown"
    assert all(size >= k for size in sizes), f"a group under k={k} was stored: {sizes}"
    assert sum(sizes) == run.grouped, "every grouped person is in a group that is shown"
    for listed in run.consensus + run.divisive:
        assert len(listed["percents"]) == len(sizes)

    # Only FEW of camp 0 voted on the rare idea (all agreed): it divides the camps, but no percentage of
    # "the group" over those few may be kept, as it would be their votes.
    [divides] = [listed for listed in run.divisive if listed["idea_id"] == rare.id]
    assert sorted(divides["percents"], key=str) == [0, None]
    for group in run.groups:
        for statement in group["statements"]:
            if statement["idea_id"] == rare.id:
                assert statement["percent_group"] is None or statement["percent_others"] is None

    html = _page(client, login, make_user, conversation.id)
    assert "too few people in group" in html
    shown = [int(n) for n in re.findall(r"Group \d+: (\d+) (?:person|people)", html)]
    assert shown and all(n >= k for n in shown), shown
    assert f"Group {len(sizes) + 1}:" not in html


def test_with_no_groups_of_k_the_page_shows_none_and_says_why(app, client, login, make_user, make_conversation,
                                                             as_participant):
    k = app.config["CHORUS_MIN_GROUP_SIZE"]
    # 12 people who agree on everything and 4 who disagree on everything: a group of 4 cannot be shown, and
    # folding it into the 12 leaves one group, which says nothing.
    conversation = make_conversation(voting_mode="agree")
    author = as_participant(make_user())
    posted = [ideas.post_idea(author, conversation.questions[0].id, text)[0] for text in STATEMENTS]
    for n in range(16):
        voter = as_participant(make_user())
        for idea in posted:
            voting.cast_vote(voter, idea.id, "agree" if n < 12 else "disagree")
    runs.request_opinion_run(conversation.id)
    run = _stored(conversation.id)
    assert run.grouped == 16 >= k
    assert run.groups == [] and run.consensus == [] and run.divisive == []

    html = _page(client, login, make_user, conversation.id)
    assert "Group 1" not in html and "% of group" not in html
    assert f"no groups of at least {k} people" in html
