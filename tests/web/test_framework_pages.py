"""Framework pages: leads correct elements on the theme board (404 across organisations), staff see k-suppressed counts."""

from __future__ import annotations

import re

import sqlalchemy as sa

from app.extensions import db
from app.models import Conversation, ElementCorrection, ThemeAssignment, ThemeElement, ThemeSnapshot
from app.services.content import voting
from app.services.conversations.participation import round_to_5
from app.services.frameworks import catalogue
from tests.services.triage_fixtures import themed  # noqa: F401  (fixture)


def _biggest(conversation) -> int:
    return db.session.scalars(sa.select(ThemeSnapshot.theme_id).where(
        ThemeSnapshot.run_id == conversation.current_theme_run_id).order_by(ThemeSnapshot.size.desc())).first()


def test_lead_adds_and_removes_elements_on_the_theme_board(client, login, make_user, themed):  # noqa: F811
    conversation, _, _, lead = themed
    token = login(lead)
    theme_id = _biggest(conversation)
    board = client.get(f"/manage/conversations/{conversation.id}").get_data(as_text=True)
    assert f"/manage/conversations/{conversation.id}/framework" in board
    assert f"/manage/themes/{theme_id}/framework" in client.get(f"/manage/themes/{theme_id}").get_data(as_text=True)
    page = client.get(f"/manage/themes/{theme_id}/framework")
    assert page.status_code == 200 and "Add an element to this theme" in page.get_data(as_text=True)
    element = next(e for e in catalogue.default_framework().elements if e.name.startswith("We work flexibly"))
    missing_csrf = client.post(f"/manage/themes/{theme_id}/framework", data={"element_id": element.id, "added": "yes"})
    assert missing_csrf.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ElementCorrection)) == 0
    added = client.post(f"/manage/themes/{theme_id}/framework",
                        data={"csrf_token": token, "element_id": element.id, "added": "yes"})
    assert added.status_code == 302 and added.headers["Location"].endswith(f"/manage/themes/{theme_id}/framework#elements")
    assert db.session.get(ThemeElement, (theme_id, element.id)).source == "lead"
    assert "added by a lead" in client.get(f"/manage/themes/{theme_id}/framework").get_data(as_text=True)
    idea_id = db.session.scalar(sa.select(ThemeAssignment.idea_id).where(
        ThemeAssignment.run_id == conversation.current_theme_run_id, ThemeAssignment.theme_id == theme_id))
    removed = client.post(f"/manage/themes/{theme_id}/framework",
                          data={"csrf_token": token, "element_id": element.id, "added": "no", "idea_id": idea_id})
    assert removed.status_code == 302
    correction = db.session.scalar(sa.select(ElementCorrection).where(ElementCorrection.idea_id == idea_id))
    assert correction.added is False and correction.element_id == element.id
    bad = client.post(f"/manage/themes/{theme_id}/framework",
                      data={"csrf_token": token, "element_id": element.id, "added": "maybe"})
    assert bad.status_code == 400
    view = client.get(f"/manage/conversations/{conversation.id}/framework").get_data(as_text=True)
    assert "We work flexibly" in view and "Added by a lead" in view


def test_a_lead_of_another_organisation_gets_404(client, login, make_user, make_org, themed):  # noqa: F811
    conversation, _, _, _ = themed
    other = make_org("Hillside Trust")
    token = login(make_user("lead", organisation=other))
    theme_id = _biggest(conversation)
    element = catalogue.default_framework().elements[0]
    assert client.get(f"/manage/themes/{theme_id}/framework").status_code == 404
    assert client.post(f"/manage/themes/{theme_id}/framework",
                       data={"csrf_token": token, "element_id": element.id, "added": "yes"}).status_code == 404
    assert client.get(f"/manage/conversations/{conversation.id}/framework").status_code == 404
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ElementCorrection)) == 0


def test_staff_view_suppresses_counts_of_people_below_k(app, client, login, make_user, as_participant, themed):  # noqa: F811
    conversation, _, _, _ = themed
    theme_id = _biggest(conversation)
    k = app.config["CHORUS_MIN_GROUP_SIZE"]
    members = db.session.scalars(sa.select(ThemeAssignment.idea_id).where(
        ThemeAssignment.run_id == conversation.current_theme_run_id, ThemeAssignment.theme_id == theme_id)).all()
    for _ in range(k - 1):
        voting.cast_vote(as_participant(make_user()), members[0], "support")
    viewer = make_user()
    login(viewer)
    page = client.get(f"/conversations/{conversation.id}/framework")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "NHS People Promise" in html and "Summary by element" in html
    assert f"fewer than {k}" in html and not re.search(r"about \d+", html)
    assert "% match" not in html and ">Status<" not in html  # the mapping's fit and working statuses are for leads
    voting.cast_vote(as_participant(make_user()), members[0], "support")
    html = client.get(f"/conversations/{conversation.id}/framework").get_data(as_text=True)
    assert f"about {round_to_5(k)}" in html  # k people: shown, rounded to 5
    assert "/framework" in client.get(f"/conversations/{conversation.id}/themes").get_data(as_text=True)


def test_staff_of_another_organisation_get_404(client, login, make_user, make_org, themed):  # noqa: F811
    conversation, _, _, _ = themed
    login(make_user(organisation=make_org("Hillside Trust")))
    assert client.get(f"/conversations/{conversation.id}/framework").status_code == 404


def test_facilitator_chooses_the_framework_and_the_mapping_follows(client, login, make_user, org, themed):  # noqa: F811
    conversation, _, _, _ = themed
    own = catalogue.create_framework(org.id, "Riverside values", "", [
        catalogue.ElementInput("Parking and travel", "Getting to work", ["free parking at night", "car park"]),
        catalogue.ElementInput("Food", "Food at work", ["hot food on night shifts", "canteen"])])
    token = login(make_user("facilitator", organisation=org))
    page = client.get(f"/facilitate/conversations/{conversation.id}/framework").get_data(as_text=True)
    assert "Riverside values" in page and "NHS People Promise" in page
    chosen = client.post(f"/facilitate/conversations/{conversation.id}/framework",
                         data={"csrf_token": token, "framework_id": own.id})
    assert chosen.status_code == 302
    db.session.expire_all()
    assert db.session.get_one(Conversation, conversation.id).framework_id == own.id
    # The background re-map (inline in tests) put ideas under the trust's own elements.
    mapped = db.session.scalars(sa.select(ThemeElement.element_id).where(
        ThemeElement.conversation_id == conversation.id)).all()
    assert mapped and set(mapped) <= {e.id for e in own.elements}
    refused = client.post(f"/facilitate/conversations/{conversation.id}/framework",
                          data={"csrf_token": token, "framework_id": 999999})
    assert refused.status_code == 400
