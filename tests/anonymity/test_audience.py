"""Issue #10.4: a conversation's audience is the owner and its partnership, for every caller, and no answer
names an organisation the caller may not see."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.services import access
from app.services.conversations import lifecycle
from app.services.accounts import organisations
from app.services.conversations import templates
from app.services.accounts.users import create_api_token
from app.services.common.errors import InvalidInput
from app.services.common.participants import Participant


@pytest.fixture
def trusts(make_org):  # type: ignore[no-untyped-def]
    """Two trusts in one partnership, and an unrelated trust elsewhere on the instance."""
    partnership = organisations.create_partnership("North Partnership")
    home = make_org("Home Partnership Trust")
    sister = make_org("Sister Partnership Trust")
    stranger = make_org("Faraway Stranger Trust")
    home.partnership_id = sister.partnership_id = partnership.id
    db.session.commit()
    return home, sister, stranger


def _details(*audience) -> lifecycle.ConversationDetails:  # type: ignore[no-untyped-def]
    return lifecycle.ConversationDetails(title="Staff wellbeing", audience_ids=[o.id for o in audience],
                                             questions=["What would help?"])


def _bearer(user) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {"Authorization": f"Bearer {create_api_token(user)}"}


def test_service_refuses_an_audience_outside_the_partnership(trusts):
    home, sister, stranger = trusts
    with pytest.raises(InvalidInput) as refused:
        lifecycle.create_conversation(home.id, _details(home, stranger))
    assert refused.value.field == "audience_ids" and stranger.name not in refused.value.message
    db.session.rollback()
    made = lifecycle.create_conversation(home.id, _details(home, sister))
    assert {o.id for o in made.audience} == {home.id, sister.id}
    with pytest.raises(InvalidInput):
        lifecycle.update_conversation(made, _details(home, sister, stranger))
    db.session.rollback()
    assert {o.id for o in db.session.get(type(made), made.id).audience} == {home.id, sister.id}


def test_an_organisation_outside_a_partnership_can_only_ask_itself(trusts, make_org):
    _, sister, stranger = trusts
    with pytest.raises(InvalidInput):
        lifecycle.create_conversation(stranger.id, _details(stranger, sister))
    db.session.rollback()
    assert access.allowed_audience(stranger) == [stranger]


def test_api_create_with_another_trust_is_422_and_that_trust_never_sees_it(trusts, client, make_user):
    home, _, stranger = trusts
    facilitator = make_user("facilitator", organisation=home)
    outsider = make_user(organisation=stranger)
    response = client.post("/api/v1/conversations", headers=_bearer(facilitator), json={
        "title": "Staff wellbeing", "questions": ["What would help?"], "audience_ids": [home.id, stranger.id]})
    assert response.status_code == 422, response.json
    assert stranger.name not in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(lifecycle.Conversation)) == 0
    assert client.get("/api/v1/conversations", headers=_bearer(outsider)).json["conversations"] == []


def test_api_update_cannot_add_another_trust(trusts, client, make_user, make_conversation):
    home, sister, stranger = trusts
    facilitator = make_user("facilitator", organisation=home)
    conversation = make_conversation(organisation=home, audience=[home, sister])
    response = client.patch(f"/api/v1/conversations/{conversation.id}", headers=_bearer(facilitator),
                            json={"audience_ids": [home.id, stranger.id]})
    assert response.status_code == 422
    assert stranger.name not in response.get_data(as_text=True)
    db.session.expire_all()
    assert {o.id for o in conversation.audience} == {home.id, sister.id}
    kept = client.patch(f"/api/v1/conversations/{conversation.id}", headers=_bearer(facilitator),
                        json={"audience_ids": [home.id]})
    assert kept.status_code == 200 and kept.json["audience"] == [home.name]


def test_web_form_and_api_agree_on_what_may_be_chosen(trusts, client, login, make_user, make_conversation):
    home, sister, stranger = trusts
    conversation = make_conversation(organisation=home, audience=[home])
    token = login(make_user("facilitator", organisation=home))
    page = client.get(f"/facilitate/conversations/{conversation.id}/edit").get_data(as_text=True)
    assert sister.name in page and stranger.name not in page
    response = client.post(f"/facilitate/conversations/{conversation.id}/edit", data={
        "csrf_token": token, "title": conversation.title, "voting_mode": "support",
        "audience_ids": [str(home.id), str(stranger.id)]})
    assert response.status_code == 400
    db.session.expire_all()
    assert [o.id for o in conversation.audience] == [home.id]


def test_change_hub_template_cannot_carry_an_audience_into_another_partnership(trusts, make_user):
    home, sister, stranger = trusts
    both = frozenset({home.id, stranger.id})
    first = templates.create_from_template(both, home.id, "change_hub", "Change Hub January")
    details = _details(home, sister)
    details.kind = "change_hub"
    lifecycle.update_conversation(first, details)
    with pytest.raises(InvalidInput):
        templates.create_from_template(both, stranger.id, "change_hub", "Change Hub February", first.id)


def test_api_answers_name_only_organisations_the_caller_may_see(trusts, client, make_user, make_conversation):
    """An audience stored before the rule existed still names no trust outside the reader's partnership."""
    home, sister, stranger = trusts
    conversation = make_conversation(organisation=home, audience=[home, sister])
    conversation.audience.append(stranger)  # as the old API allowed
    db.session.commit()
    reader = make_user(organisation=sister)
    full = client.get(f"/api/v1/conversations/{conversation.id}", headers=_bearer(reader))
    assert full.status_code == 200
    assert set(full.json["audience"]) == {home.name, sister.name}
    assert stranger.name not in full.get_data(as_text=True)
    seen = access.visible_audience(Participant.from_user(reader), conversation)
    assert stranger not in seen
