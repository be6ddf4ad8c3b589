"""The signed-in person is read afresh on every request (narrow rows, not ORM objects): a change to the account,
its roles or its memberships takes effect on the very next request, by session cookie and by API token alike."""

from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db
from app.models import ApiToken, User
from app.models.user import SignedInUser
from app.services.accounts import users
from app.services.common.participants import Participant
from app.services.content import ideas


def _token_get(app, token, path):  # type: ignore[no-untyped-def]
    return app.test_client().get("/api/v1" + path, headers={"Authorization": f"Bearer {token}"})


def _token_vote(app, token, idea_id):  # type: ignore[no-untyped-def]
    return app.test_client().put(f"/api/v1/ideas/{idea_id}/vote", json={"choice": "support"},
                                 headers={"Authorization": f"Bearer {token}"})


def test_a_deactivated_account_is_refused_on_the_next_request(app, client, login, make_user) -> None:  # type: ignore[no-untyped-def]
    nurse = make_user()
    login(nurse)
    token = users.create_api_token(nurse, "phone")
    assert client.get("/api/v1/me").status_code == 200
    assert _token_get(app, token, "/me").status_code == 200
    db.session.get(User, nurse.id).active = False
    db.session.commit()
    assert client.get("/api/v1/me").status_code == 401
    assert client.get("/auth/password").status_code == 302  # pages send them to sign in
    assert _token_get(app, token, "/me").status_code == 401


def test_a_revoked_token_is_refused_on_the_next_request(app, make_user) -> None:  # type: ignore[no-untyped-def]
    nurse = make_user()
    token = users.create_api_token(nurse, "phone")
    assert _token_get(app, token, "/me").status_code == 200
    for row in db.session.scalars(sa.select(ApiToken).where(ApiToken.user_id == nurse.id)):
        row.revoked = True
    db.session.commit()
    assert _token_get(app, token, "/me").status_code == 401


def test_a_new_role_takes_effect_on_the_next_request(app, client, login, org, make_user) -> None:  # type: ignore[no-untyped-def]
    nurse = make_user()
    login(nurse)
    token = users.create_api_token(nurse, "phone")
    assert client.get("/facilitate/").status_code == 404
    assert app.test_client().post("/api/v1/conversations", json={"title": "x"},
                                  headers={"Authorization": f"Bearer {token}"}).status_code == 404
    users.set_membership(db.session.get(User, nurse.id), org, "facilitator")
    assert client.get("/facilitate/").status_code == 200
    assert _token_get(app, token, "/me").json["memberships"][0]["role"] == "facilitator"
    users.set_membership(db.session.get(User, nurse.id), org, "participant")
    assert client.get("/facilitate/").status_code == 404  # and taken away as promptly


def test_a_removed_membership_hides_its_conversations_on_the_next_request(app, client, login, org, make_user, make_conversation) -> None:  # type: ignore[no-untyped-def]
    conversation = make_conversation()
    author, nurse = make_user(), make_user()
    idea, _ = ideas.post_idea(Participant.from_user(author), conversation.questions[0].id, "Free hot drinks on nights")
    token = users.create_api_token(nurse, "phone")
    login(nurse)
    assert _token_vote(app, token, idea.id).status_code == 200
    assert client.get(f"/api/v1/conversations/{conversation.id}").status_code == 200
    users.remove_membership(db.session.get(User, nurse.id), org.id)
    # Not theirs any more: 404, as for something that does not exist, never 403.
    assert _token_vote(app, token, idea.id).status_code == 404
    assert client.get(f"/api/v1/conversations/{conversation.id}").status_code == 404
    assert _token_get(app, token, "/me").json["memberships"] == []


def test_the_signed_in_person_is_narrow_rows_with_the_account_row_on_demand(app, org, make_user) -> None:  # type: ignore[no-untyped-def]
    nurse = make_user("lead")
    token = users.create_api_token(nurse, "phone")
    person = users.user_for_token(token)
    assert isinstance(person, SignedInUser)
    assert person.id == nurse.id and person.user_key == nurse.user_key and person.get_id() == str(nurse.id)
    assert person.has_role(users.Role.LEAD, org.id) and not person.has_role(users.Role.ADMIN)
    assert person.organisation_ids == frozenset({org.id}) and person.role_in(org.id) == "lead"
    assert Participant.from_user(person) == Participant.from_user(db.session.get(User, nurse.id))
    # Anything a request rarely reads comes from the account's row, loaded when first asked for.
    assert person.sso_subject is None and [t.name for t in person.tokens] == ["phone"]
    assert person.record() is db.session.get(User, nurse.id)
