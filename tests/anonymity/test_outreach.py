"""Attacks on the outreach monitor (k and rule A4): no group below k, in people or in staff, is ever named with
a figure on the page, in the CSV or in the API, and nothing moves when one person takes part."""

from __future__ import annotations

import pytest

from app.services.accounts import organisations
from app.services.accounts.users import create_api_token
from app.services.content import ideas, voting
from app.services.conversations.participation_batch import refresh_snapshot
from app.services.outreach import baseline
from tests.web.test_speakup_pages import sign_in

SMALL_ORG = "Riverside Estates Ltd"


@pytest.fixture
def monitored(app, org, make_org, make_user, make_conversation, as_participant):
    """A big trust and a 3-person organisation in one partnership; 3 porters; a 6-person staff group."""
    app.config["CHORUS_MIN_GROUP_SIZE"] = 10
    small = make_org(SMALL_ORG, groups=("Nursing",))
    partnership = organisations.create_partnership("Reach Partnership")
    for member in (org, small):
        organisations.update_organisation(member, member.name, member.code, partnership.id)
    organisations.add_staff_group(org, "Porters")
    organisations.add_staff_group(org, "Chaplaincy")
    conversation = make_conversation(audience=[org, small])
    idea, _ = ideas.post_idea(as_participant(make_user()), conversation.questions[0].id, "Rest areas for nights")
    people = ([make_user(staff_group="Nursing") for _ in range(14)] + [make_user(staff_group="Medical") for _ in range(12)]
              + [make_user(staff_group="Porters") for _ in range(3)]
              + [make_user(organisation=small, staff_group="Nursing") for _ in range(3)])
    for person in people:
        voting.cast_vote(as_participant(person), idea.id, "support")
    baseline.upload_baseline(frozenset({org.id, small.id}), (
        f"organisation code,staff group,headcount\n{org.code},Nursing,200\n{org.code},Medical,60\n"
        f"{org.code},Porters,30\n{org.code},Chaplaincy,6\n{small.code},Nursing,4\n"))
    refresh_snapshot(conversation.id)
    return conversation, idea, small


def _views(app, conversation, make_user) -> list[str]:  # type: ignore[no-untyped-def]
    facilitator = make_user("facilitator")
    client = app.test_client()
    sign_in(client, facilitator)
    page = client.get(f"/facilitate/conversations/{conversation.id}/outreach").get_data(as_text=True)
    export = client.get(f"/facilitate/conversations/{conversation.id}/outreach.csv").get_data(as_text=True)
    api = app.test_client().get(f"/api/v1/conversations/{conversation.id}/outreach",
                                headers={"Authorization": f"Bearer {create_api_token(facilitator)}"})
    return [page, export, api.get_data(as_text=True)]


def test_no_group_below_k_is_named_with_a_figure(app, monitored, make_user) -> None:
    conversation, _, _ = monitored
    page, export, api = _views(app, conversation, make_user)
    # 3 people from the small organisation (4 staff); 6 chaplains (below k as staff): never named anywhere.
    for text in (page, export, api):
        assert SMALL_ORG not in text and "Chaplaincy" not in text
    # Porters (30 staff, 3 took part) and the doctors (folded so that "Other" reaches k) are named only as groups
    # inside "Other", with no figure of their own.
    assert "Porters" not in export and "Medical" not in export
    assert '"in_other":["Medical","Porters"]' in api.replace(" ", "")
    assert "Also worth reaching: Riverside Test Trust, Medical, Porters" in page
    # The headcounts of groups below k (6 and 4) are never shown, alone or as a difference the page gives away.
    assert ">6<" not in page and ">4<" not in page


def test_one_more_person_moves_nothing_until_the_batch(app, monitored, make_user, as_participant) -> None:
    conversation, idea, small = monitored
    before = _views(app, conversation, make_user)
    for _ in range(8):  # the small organisation reaches k between batches
        voting.cast_vote(as_participant(make_user(organisation=small, staff_group="Nursing")), idea.id, "support")
    after = _views(app, conversation, make_user)
    assert [v for v in after[1:]] == [v for v in before[1:]]  # the CSV and the API answer are the same
    assert SMALL_ORG not in after[0]
