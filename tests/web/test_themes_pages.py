"""Themes, opinion groups and drafting help through the web pages, without JavaScript."""

from __future__ import annotations

import re

import sqlalchemy as sa

from app.extensions import db
from app.models import Idea, RunStatus, ThemeRun
from app.services.content import ideas
from app.services.moderation import decisions
from app.services.content import voting
from tests.conftest import csrf_token

PARKING = [f"Free staff car parking for night shifts, please ({n})" for n in range(6)]
FOOD = [f"Hot food in the canteen after midnight for night staff ({n})" for n in range(6)]


def _form_token(html: str) -> str:
    return re.search(r'name="client_token" type="hidden" value="([^"]+)"', html).group(1)


def _seed(make_user, make_conversation, as_participant, texts=PARKING + FOOD, **kwargs):  # type: ignore[no-untyped-def]
    conversation = make_conversation(**kwargs)
    person = as_participant(make_user())
    posted = [ideas.post_idea(person, conversation.questions[0].id, t)[0] for t in texts]
    return conversation, posted


def test_a_facilitator_updates_themes_and_staff_see_them(client, login, make_user, make_conversation, as_participant):
    conversation, posted = _seed(make_user, make_conversation, as_participant)
    staff = make_user()
    token = login(staff)
    page = client.get(f"/conversations/{conversation.id}/themes").get_data(as_text=True)
    assert "There are no themes yet" in page and "Update themes now" not in page
    assert client.post(f"/conversations/{conversation.id}/themes/run", data={"csrf_token": token}).status_code == 404
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ThemeRun)) == 0

    client2 = client.application.test_client()  # a facilitator in another browser
    token = _login_other(client2, make_user("facilitator"))
    page = client2.get(f"/conversations/{conversation.id}/themes").get_data(as_text=True)
    assert "Update themes now" in page
    assert client2.post(f"/conversations/{conversation.id}/themes/run", data={}).status_code == 400  # no CSRF token
    response = client2.post(f"/conversations/{conversation.id}/themes/run", data={"csrf_token": token})
    assert response.status_code == 302
    run = db.session.scalar(sa.select(ThemeRun))
    assert run.status == RunStatus.SUCCEEDED and run.trigger == "manual" and run.theme_count == 2

    page = client2.get(f"/conversations/{conversation.id}/themes").get_data(as_text=True)
    assert "12 ideas grouped into 2 themes" in page
    assert page.count("chorus-quote") == 6  # three representative quotes per theme
    links = re.findall(r'href="/themes/(\d+)">([^<]+)</a>', page)
    assert len(links) == 2 and any("parking" in label.lower() for _, label in links)
    theme_id = next(t for t, label in links if "parking" in label.lower())
    theme_page = client2.get(f"/themes/{theme_id}").get_data(as_text=True)
    assert "6 ideas" in theme_page and all(p.body.replace("(", "").split()[0] in theme_page for p in posted[:6])
    assert "midnight" not in theme_page


def _login_other(client, user):  # type: ignore[no-untyped-def]
    token = csrf_token(client)
    response = client.post("/auth/sign-in", data={"email": user.email, "password": "correct-horse-battery",
                                                  "csrf_token": token})
    assert response.status_code == 302
    return csrf_token(client, "/")


def test_a_failed_run_is_reported_and_the_old_themes_stay(client, login, make_user, make_conversation,
                                                          as_participant, monkeypatch):
    from app.services.themes import runs

    conversation, _ = _seed(make_user, make_conversation, as_participant)
    runs.request_theme_run(conversation.id)
    import nlp.themes

    monkeypatch.setattr(nlp.themes, "find_themes", lambda *a, **k: (_ for _ in ()).throw(ValueError("boom")))
    runs.request_theme_run(conversation.id)
    login(make_user())
    page = client.get(f"/conversations/{conversation.id}/themes").get_data(as_text=True)
    assert "Themes could not be updated" in page and "previous themes are still shown" in page
    assert "12 ideas grouped into 2 themes" in page


def test_similar_ideas_are_offered_after_submit_without_javascript(client, login, make_user, make_conversation,
                                                                  as_participant):
    conversation, _ = _seed(make_user, make_conversation, as_participant)
    question = conversation.questions[0]
    token = login(make_user())
    page = client.get(f"/questions/{question.id}").get_data(as_text=True)
    draft = {"body": "Could night staff get free car parking?", "client_token": _form_token(page), "csrf_token": token}
    step = client.post(f"/questions/{question.id}/ideas", data=draft)
    html = step.get_data(as_text=True)
    assert step.status_code == 200 and "Similar ideas already posted — support one instead?" in html
    assert "Free staff car parking for night shifts" in html and "Post your idea anyway" in html
    assert "Could night staff get free car parking?" in html  # the draft is kept
    # Each suggestion opens in place (or in a new tab), never instead of the form holding the draft.
    assert '<details class="nhsuk-details chorus-similar__idea">' in html
    assert re.search(r'<a href="/ideas/[^"]+" target="_blank" rel="noopener">Open this idea in a new tab', html)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Idea)) == 12
    response = client.post(f"/questions/{question.id}/ideas", data={**draft, "similar_checked": "1"})
    assert response.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Idea)) == 13
    # Something new goes straight through.
    fresh = client.post(f"/questions/{question.id}/ideas", data={
        "body": "A quiet room for breaks on the maternity unit", "client_token": "other-token", "csrf_token": token})
    assert fresh.status_code == 302


def test_identifying_details_are_highlighted_with_advice(client, login, make_user, make_conversation):
    conversation = make_conversation()
    question = conversation.questions[0]
    token = login(make_user())
    page = client.get(f"/questions/{question.id}").get_data(as_text=True)
    response = client.post(f"/questions/{question.id}/ideas", data={
        "body": "Dr Patel <shouts> at the nurses on Ward 7", "client_token": _form_token(page), "csrf_token": token,
        "similar_checked": "1"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "Consider removing the highlighted details" in html
    assert '<mark class="chorus-mark"' in html and ">Dr Patel</mark>" in html and ">Ward 7</mark>" in html
    assert "&lt;shouts&gt;" in html and "<shouts>" not in html  # the draft is escaped around the marks
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Idea)) == 0


STATEMENTS = ["Open the staff gym at night", "Ban mobile phones in handovers", "More bank shifts at weekends",
              "Free parking for every shift", "Longer breaks on long days", "Rota published six weeks ahead",
              "Hot food at night", "Quiet rooms on every ward"]


def test_opinion_groups_consensus_and_divisive_ideas_are_shown(client, login, make_user, make_conversation,
                                                               as_participant):
    conversation, posted = _seed(make_user, make_conversation, as_participant, texts=STATEMENTS, voting_mode="agree")
    for n in range(24):
        voter = as_participant(make_user())
        camp = n % 2
        for j, idea in enumerate(posted):
            if j >= 6:  # everyone agrees on the last two
                choice = "agree"
            else:
                choice = "agree" if (j % 2 == camp) else "disagree"
            voting.cast_vote(voter, idea.id, choice)
    login(make_user())
    conversation_page = client.get(f"/conversations/{conversation.id}/themes").get_data(as_text=True)
    assert "Opinion groups</a>" in conversation_page
    html = client.get(f"/conversations/{conversation.id}/opinions").get_data(as_text=True)
    assert "24 of 24 people who voted are grouped" in html
    assert "Group 1: 12 people" in html and "Group 2: 12 people" in html and "Group 3" not in html
    consensus = html.split("What most people agree on")[1].split("Where groups differ")[0]
    assert "Hot food at night" in consensus and "Quiet rooms on every ward" in consensus
    assert "Agreed by 100% of group 1, 100% of group 2" in consensus
    divisive = html.split("Where groups differ")[1].split("Group 1:")[0]
    # The six split statements divide the groups equally, so which of them are listed first is a tie.
    assert any(text in divisive for text in STATEMENTS[:6]) and "Hot food at night" not in divisive
    # The group cards (the opinion map's legend, above them, names the groups too).
    card = '<h2 class="nhsuk-heading-m">Group '
    group_one = html.split(card + "1:")[1].split(card + "2:")[0]
    assert "100% of this group agreed</strong>, against 0% of everyone else" in group_one
    assert "100% of this group disagreed</strong>, against 0% of everyone else" in group_one


def test_opinion_groups_need_enough_voters_and_agree_votes(client, login, make_user, make_conversation,
                                                           as_participant):
    conversation, posted = _seed(make_user, make_conversation, as_participant, texts=STATEMENTS, voting_mode="agree")
    for n in range(4):
        voter = as_participant(make_user())
        for j, idea in enumerate(posted):
            voting.cast_vote(voter, idea.id, "agree" if (j + n) % 2 else "disagree")
    supported, _ = _seed(make_user, make_conversation, as_participant, texts=STATEMENTS[:2])
    login(make_user())
    html = client.get(f"/conversations/{conversation.id}/opinions").get_data(as_text=True)
    assert "Opinion groups appear once at least 11 people" in html and "So far 4 people have voted" in html
    assert "Group 1" not in html
    assert client.get(f"/conversations/{supported.id}/opinions").status_code == 404
    assert "Opinion groups</a>" not in client.get(f"/conversations/{supported.id}/themes").get_data(as_text=True)


def test_themes_run_from_the_cli(runner, make_user, make_conversation, as_participant):
    conversation, _ = _seed(make_user, make_conversation, as_participant)
    result = runner.invoke(args=["themes", "run", str(conversation.id)])
    assert result.exit_code == 0, result.output
    assert "2 themes from 12 ideas" in result.output
    assert db.session.scalar(sa.select(ThemeRun.trigger)) == "cli"
    missing = runner.invoke(args=["themes", "run", "9999"])
    assert missing.exit_code != 0 and "could not find that conversation" in missing.output



def test_facilitators_see_a_flag_on_ideas_that_may_identify_someone(client, make_user, make_conversation,
                                                                    as_participant):
    conversation = make_conversation()
    author = as_participant(make_user())
    idea, _ = ideas.post_idea(author, conversation.questions[0].id, "Sister Jones on bay 4 is brilliant",
                              allow_identifying=True)
    facilitator = make_user("facilitator")
    # Held for a moderator first; once approved as it is, it stays flagged for facilitators.
    decisions.approve_item(conversation, facilitator.id, "idea", idea.id)
    question_url, idea_url = f"/questions/{conversation.questions[0].id}", f"/ideas/{idea.id}"
    _login_other(client, facilitator)
    assert "May identify someone" in client.get(question_url).get_data(as_text=True)
    assert "May identify someone" in client.get(idea_url).get_data(as_text=True)
    other = client.application.test_client()
    _login_other(other, make_user())
    assert "May identify someone" not in other.get(question_url).get_data(as_text=True)
    assert "May identify someone" not in other.get(idea_url).get_data(as_text=True)
