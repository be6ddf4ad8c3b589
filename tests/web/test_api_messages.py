"""API for invitations, reminders and announcements: listing, previewing, scheduling, cancelling, Teams channel."""

from __future__ import annotations


import pytest

from app.services.accounts.users import create_api_token
from tests.conftest import running_app
from tests.messaging_servers import Mailbox, TeamsChannel, smtp_settings


@pytest.fixture
def app(mail_app):  # type: ignore[no-untyped-def]
    """Email goes to this test's local SMTP server (tests/messaging_servers.py)."""
    return mail_app


def _api(client, user):  # type: ignore[no-untyped-def]
    token = create_api_token(user)

    def call(method, path, **kwargs):  # type: ignore[no-untyped-def]
        return getattr(client, method)("/api/v1" + path, headers={"Authorization": f"Bearer {token}"}, **kwargs)

    return call


def test_facilitators_schedule_send_list_and_cancel_messages(client, make_user, make_conversation, smtp_server: Mailbox,
                                                             teams_channel: TeamsChannel) -> None:
    conversation = make_conversation()
    staff = [make_user(staff_group="Nursing") for _ in range(11)]
    call = _api(client, make_user("facilitator", staff_group=None))
    path = f"/conversations/{conversation.id}/messages"
    listed = call("get", path).json
    assert listed["audience"] == 12 and listed["min_group_size"] == 11 and listed["messages"] == []
    assert [g["name"] for g in listed["staff_groups"]] == ["Nursing"] and listed["email_configured"] is True
    nursing = listed["staff_groups"][0]["id"]
    preview = call("post", path + "/preview", json={"kind": "reminder", "staff_group_ids": [nursing]})
    assert preview.status_code == 200 and preview.json == {"recipients": 11, "min_group_size": 11}
    sent = call("post", path, json={"kind": "invitation", "staff_group_ids": [nursing], "note": "Cake in the canteen."})
    assert sent.status_code == 201 and sent.json["status"] == "sent" and sent.json["sent"] == 11
    assert sent.json["due_hour"].endswith(":00:00Z") and sent.json["audience"] == "Nursing"
    assert sorted(smtp_server.recipients) == sorted(u.email for u in staff)
    assert not any(u.email in str(sent.json) for u in staff)
    channel = call("put", f"/conversations/{conversation.id}/teams-channel", json={"url": teams_channel.url})
    assert channel.status_code == 200 and channel.json == {"configured": True, "address": teams_channel.url.rsplit("/", 1)[0] + "/…"}
    later = call("post", path, json={"kind": "reminder", "email": False, "teams": True, "when": "before_close"})
    assert later.status_code == 201 and later.json["status"] == "scheduled" and teams_channel.posts == []
    cancelled = call("post", f"{path}/{later.json['id']}/cancel")
    assert cancelled.status_code == 200 and cancelled.json["status"] == "cancelled"
    assert call("post", f"{path}/{later.json['id']}/cancel").status_code == 409
    assert [m["kind"] for m in call("get", path).json["messages"]] == ["reminder", "invitation"]


def test_bad_bodies_get_clear_errors_and_write_nothing(client, make_user, make_conversation) -> None:
    conversation = make_conversation()
    call = _api(client, make_user("facilitator"))
    path = f"/conversations/{conversation.id}/messages"
    for body, status, says in [
        ({}, 400, "kind"), ({"kind": "invitation", "email": "yes"}, 400, "email"),
        ({"kind": "memo"}, 422, "Choose what to send"), ({"kind": "invitation", "email": False}, 422, "email, Microsoft Teams"),
        ({"kind": "invitation", "when": "at", "at": "soon"}, 400, "ISO 8601"),
        ({"kind": "invitation", "organisation_ids": [999]}, 422, "Choose organisations from the list"),
        ({"kind": "announcement"}, 409, "Publish at least one"),
    ]:
        response = call("post", path, json=body)
        assert response.status_code == status, (body, response.json)
        assert says in str(response.json["error"]), (body, response.json)
    assert call("get", path).json["messages"] == []
    bad = call("put", f"/conversations/{conversation.id}/teams-channel", json={"url": "ftp://x"})
    assert bad.status_code == 422 and bad.json["error"]["field"] == "url"


def test_participants_and_other_organisations_get_404(client, make_user, make_org, make_conversation) -> None:
    conversation = make_conversation()
    for person in (make_user(), make_user("facilitator", organisation=make_org("Elsewhere Trust"))):
        call = _api(client, person)
        assert call("get", f"/conversations/{conversation.id}/messages").status_code == 404
        assert call("post", f"/conversations/{conversation.id}/messages", json={"kind": "invitation"}).status_code == 404


def test_sending_is_rate_limited(database_url, smtp_server: Mailbox) -> None:
    from app.services.accounts import organisations, users
    from app.services.conversations import lifecycle

    with running_app(database_url, RATELIMIT_ENABLED=True, RATELIMIT_MESSAGES="2 per hour",
                     **smtp_settings(smtp_server)) as app:
        org = organisations.create_organisation("Limit Trust", "L001")
        facilitator = users.create_user("f@limit.nhs.uk", organisation=org, role="facilitator", password=None,
                                        display_name="F")
        conversation = lifecycle.open_conversation(lifecycle.create_conversation(org.id, lifecycle.ConversationDetails(
            title="Limits", audience_ids=[org.id], questions=["What would help?"])))
        call = _api(app.test_client(), facilitator)
        path = f"/conversations/{conversation.id}/messages"
        assert [call("post", path, json={"kind": "invitation"}).status_code for _ in range(2)] == [201, 201]
        refused = call("post", path, json={"kind": "invitation"})
        assert refused.status_code == 429 and refused.json["error"]["status"] == 429
        assert len(call("get", path).json["messages"]) == 2
