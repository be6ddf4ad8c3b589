"""Words that match what people see elsewhere on the page (issue #14 item 11)."""

from __future__ import annotations

import re

from app.extensions import db
from app.services.accounts.users import create_api_token
from app.services.workshops import session


def test_phase_buttons_use_the_phase_names_people_see(client, login, make_user, make_conversation):
    conversation = make_conversation(title="Workshop")
    session.set_phase(conversation, "collect")
    login(make_user("facilitator"))
    page = client.get(f"/facilitate/conversations/{conversation.id}/live").get_data(as_text=True)
    buttons = re.findall(r'name="phase" value="(\w+)"[^>]*>([^<]+)</button>', page)
    assert [(v, t.strip()) for v, t in buttons] == [
        ("collect", "Sharing ideas (current)"), ("vote", "Voting"), ("review", "Review")]
    assert re.search(r"data-live-phase>Sharing ideas<", page)  # the badge says the same


def test_the_open_badge_is_followed_by_the_closing_date_not_open_again(client, login, make_user, make_conversation):
    open_one = make_conversation(title="Open one")
    closed = make_conversation(status="closed", title="Closed one")
    login(make_user())
    page = client.get(f"/conversations/{open_one.id}").get_data(as_text=True)
    assert "Open until" not in page and "Closes on " + open_one.closes_at.strftime("%-d %B %Y") in page
    page = client.get(f"/conversations/{closed.id}").get_data(as_text=True)
    assert "Closed on " + closed.closed_at.strftime("%-d %B %Y") in page


def test_sorting_says_most_agreed_when_people_agree_or_disagree(client, login, make_user, make_conversation):
    agree = make_conversation(voting_mode="agree", title="Agree one")
    support = make_conversation(title="Support one")
    login(make_user())
    page = client.get(f"/questions/{agree.questions[0].id}").get_data(as_text=True)
    assert re.search(r'value="supported"[^>]*>Most agreed<', page) and "Most supported" not in page
    page = client.get(f"/questions/{support.questions[0].id}").get_data(as_text=True)
    assert re.search(r'value="supported"[^>]*>Most supported<', page)


def test_check_text_takes_body_and_still_accepts_text(client, make_user):
    token = create_api_token(make_user())
    db.session.commit()
    headers = {"Authorization": f"Bearer {token}"}

    def check(payload):  # type: ignore[no-untyped-def]
        return client.post("/api/v1/check-text", json=payload, headers=headers)

    draft = "Sister Jones on Ward 7 never lets us take breaks"
    by_body, by_text = check({"body": draft}), check({"text": draft})
    assert by_body.status_code == 200 and set(by_body.json) == {"spans", "sentiment", "speak_up"} and by_body.json["spans"]
    assert "Deprecation" not in by_body.headers
    assert by_text.status_code == 200 and by_text.json == by_body.json and by_text.headers["Deprecation"] == "true"
    assert check({"body": draft, "text": "other"}).json == by_body.json  # body wins
    missing = check({})
    assert missing.status_code == 400 and "body" in missing.json["error"]["message"]
    assert check({"body": 7}).status_code == 400
    spec = client.get("/api/v1/openapi.json").json
    schema = spec["paths"]["/check-text"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    if "$ref" in schema:  # the generated document names request models in its components
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    assert schema["properties"]["text"]["deprecated"] is True and "body" in schema["properties"]
