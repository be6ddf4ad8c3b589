"""Comparing ideas in pairs through the pages and the API: lead setup, picking, staff answers, errors."""

from __future__ import annotations

import re

import sqlalchemy as sa

from app.extensions import db
from app.models import PairwiseChoice, PairwiseIdea, PairwiseSetup
from app.services.content import ideas
from tests.conftest import csrf_token

TEXTS = ["Publish rotas six weeks ahead", "Fix the broken lockers in the changing rooms",
         "Protected time for training every month", "Quiet rest space on every floor"]


def _conversation(make_conversation, make_user, as_participant):
    conversation = make_conversation()
    author = as_participant(make_user())
    posted = [ideas.post_idea(author, conversation.questions[0].id, t)[0] for t in TEXTS]
    return conversation, posted


def test_lead_picks_recommendations_and_staff_compare_them(client, login, make_user, make_conversation, as_participant):
    conversation, posted = _conversation(make_conversation, make_user, as_participant)
    base = f"/manage/conversations/{conversation.id}/prioritise"
    token = login(make_user("lead"))
    page = client.get(base).get_data(as_text=True)
    assert "Change what staff compare" in page and "Ideas you pick as recommendations" in page
    # Bad input: an unknown choice gets a form error and changes nothing.
    bad = client.post(f"{base}/setup", data={"items": "everything", "question_id": conversation.questions[0].id,
                                             "csrf_token": token})
    assert bad.status_code == 400 and "There is a problem" in bad.get_data(as_text=True)
    assert db.session.get(PairwiseSetup, conversation.id) is None
    # An idea that is not in the question: error summary, nothing half-saved.
    wrong = client.post(f"{base}/ideas", data={"question_id": conversation.questions[0].id,
                                               "idea_id": [posted[0].id, "nope"], "csrf_token": token})
    assert wrong.status_code == 400 and "not in this question" in wrong.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PairwiseIdea)) == 0
    picking = client.get(f"{base}/ideas").get_data(as_text=True)
    assert all(t in picking for t in TEXTS)
    saved = client.post(f"{base}/ideas", data={"question_id": conversation.questions[0].id,
                                               "idea_id": [p.id for p in posted[:3]], "csrf_token": token})
    assert saved.status_code == 302
    chose = client.post(f"{base}/setup", data={"items": "picked", "question_id": conversation.questions[0].id,
                                               "csrf_token": token})
    assert chose.status_code == 302 and chose.headers["Location"].endswith("/prioritise/ideas")
    assert "Compare ideas in pairs" in client.get(base).get_data(as_text=True)

    client.post("/auth/sign-out", data={"csrf_token": token})
    token = login(make_user())
    page = client.get(f"/conversations/{conversation.id}/prioritise").get_data(as_text=True)
    assert "two ideas at a time" in page
    left = re.search(r'name="left_id" value="([^"]+)"', page).group(1)
    right = re.search(r'name="right_id" value="([^"]+)"', page).group(1)
    assert {left, right} <= {p.id for p in posted[:3]}
    answer = client.post(f"/conversations/{conversation.id}/prioritise",
                         data={"left_id": left, "right_id": right, "choice": "right", "csrf_token": token})
    assert answer.status_code == 302
    row = db.session.scalar(sa.select(PairwiseChoice))
    assert (row.left_idea_id, row.right_idea_id, row.choice) == (left, right, "right")


def test_api_sets_up_idea_pairs_and_ranks_them(client, login, make_user, make_conversation, as_participant):
    conversation, posted = _conversation(make_conversation, make_user, as_participant)
    token = login(make_user("lead"))
    h = {"X-CSRFToken": token}
    url = f"/api/v1/manage/conversations/{conversation.id}/pairwise"
    assert client.get(url).json["items"] == "themes"
    bad = client.put(url, json={"items": "picked", "question_id": conversation.questions[0].id,
                                "picked": [posted[0].id, "missing"]}, headers=h)
    assert bad.status_code == 422 and db.session.get(PairwiseSetup, conversation.id) is None
    assert client.put(url, json={"items": "question"}, headers=h).status_code == 422
    assert client.put(url, json={"items": "picked", "picked": "x", "question_id": 1}, headers=h).status_code == 400
    done = client.put(url, json={"items": "picked", "question_id": conversation.questions[0].id,
                                 "picked": [p.id for p in posted[:2]]}, headers=h)
    assert done.status_code == 200 and {i["id"] for i in done.json["compared"]} == {p.id for p in posted[:2]}
    pair = client.get(f"/api/v1/conversations/{conversation.id}/pairs/next").json["pair"]
    assert pair["kind"] == "idea"
    answered = client.post(f"/api/v1/conversations/{conversation.id}/pairs",
                           json={"left_id": pair["left"]["id"], "right_id": pair["right"]["id"], "choice": "left"}, headers=h)
    assert answered.status_code == 201
    assert client.get(f"/api/v1/conversations/{conversation.id}/pairs/next").json["pair"] is None  # only one pair
    ranking = client.get(f"/api/v1/manage/conversations/{conversation.id}/ranking").json
    assert ranking["compared"] == "idea" and ranking["ideas"][0]["id"] == pair["left"]["id"]
    spec = client.get("/api/v1/openapi.json").json
    assert {"get", "put"} <= set(spec["paths"]["/manage/conversations/{conversation_id}/pairwise"])


def test_non_leads_cannot_change_what_is_compared(client, login, make_user, make_conversation, as_participant):
    conversation, _ = _conversation(make_conversation, make_user, as_participant)
    token = login(make_user())
    assert client.get(f"/manage/conversations/{conversation.id}/prioritise/ideas").status_code == 404
    assert client.put(f"/api/v1/manage/conversations/{conversation.id}/pairwise", json={"items": "themes"},
                      headers={"X-CSRFToken": token}).status_code == 404
    assert csrf_token(client, "/")
