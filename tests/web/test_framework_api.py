"""Framework API: frameworks listed, a conversation's mappings for its leads, corrections added and withdrawn."""

from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db
from app.models import ElementCorrection, ThemeElement, ThemeSnapshot
from app.services.accounts.users import create_api_token
from app.services.frameworks import catalogue
from tests.services.triage_fixtures import themed  # noqa: F401  (fixture)


def _auth(user) -> dict[str, str]:
    return {"Authorization": f"Bearer {create_api_token(user)}"}


def test_corrections_through_the_api(client, make_user, make_org, themed):  # noqa: F811
    conversation, _, _, lead = themed
    headers = _auth(lead)
    listed = client.get("/api/v1/frameworks", headers=headers).json["frameworks"]
    assert listed[0]["builtin"] and listed[0]["name"] == "NHS People Promise" and len(listed[0]["elements"]) >= 7
    theme_id = db.session.scalars(sa.select(ThemeSnapshot.theme_id).where(
        ThemeSnapshot.run_id == conversation.current_theme_run_id)).first()
    mappings = client.get(f"/api/v1/manage/conversations/{conversation.id}/framework-mappings", headers=headers).json
    assert mappings["framework"]["builtin"] and mappings["themes"] and mappings["ideas"]
    element = next(e for e in catalogue.default_framework().elements
                   if e.id not in {m["element_id"] for t in mappings["themes"] if t["theme_id"] == theme_id
                                   for m in t["elements"]})
    url = f"/api/v1/manage/conversations/{conversation.id}/framework-corrections"
    both = client.post(url, headers=headers, json={"theme_id": theme_id, "idea_id": "x", "element_id": element.id, "added": True})
    assert both.status_code == 400 and "exactly one" in both.json["error"]["message"]
    made = client.post(url, headers=headers, json={"theme_id": theme_id, "element_id": element.id, "added": True})
    assert made.status_code == 201 and made.json["added"] is True
    assert db.session.get(ThemeElement, (theme_id, element.id)).source == "lead"
    # A lead of another organisation: 404 for the conversation, the theme and the correction alike.
    stranger = _auth(make_user("lead", organisation=make_org("Hillside Trust")))
    assert client.post(url, headers=stranger, json={"theme_id": theme_id, "element_id": element.id, "added": False}).status_code == 404
    assert client.get(f"/api/v1/manage/conversations/{conversation.id}/framework-mappings", headers=stranger).status_code == 404
    assert client.delete(f"/api/v1/manage/framework-corrections/{made.json['id']}", headers=stranger).status_code == 404
    staff = _auth(make_user())
    assert client.post(url, headers=staff, json={"theme_id": theme_id, "element_id": element.id, "added": False}).status_code == 404
    assert client.delete(f"/api/v1/manage/framework-corrections/{made.json['id']}", headers=headers).status_code == 204
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ElementCorrection)) == 0
    db.session.expire_all()
    row = db.session.get(ThemeElement, (theme_id, element.id))
    assert row is None or row.source == "run"
