"""Admin framework pages: the People Promise listed, CSV upload errors write nothing, forms edit elements."""

from __future__ import annotations

import html as markup
import io

import sqlalchemy as sa

from app.extensions import db
from app.models import Framework, FrameworkElement


def _csv(text: str) -> dict:
    return {"file": (io.BytesIO(text.encode()), "framework.csv")}


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model)) or 0


def test_frameworks_need_an_admin(client, login, make_user):
    assert client.get("/admin/frameworks").status_code == 302  # signed out: to sign in
    login(make_user("lead"))
    assert client.get("/admin/frameworks").status_code in (403, 404)


def test_admin_lists_people_promise_and_upload_errors_write_nothing(client, login, make_user, org, make_org):
    token = login(make_user("admin", organisation=org))
    page = client.get("/admin/frameworks").get_data(as_text=True)
    assert "NHS People Promise" in page and "Built in" in page
    promise = db.session.scalar(sa.select(Framework).where(Framework.builtin_key.is_not(None)))
    shown = client.get(f"/admin/frameworks/{promise.id}").get_data(as_text=True)
    assert "We are compassionate and inclusive" in shown and "cannot be changed" in shown
    assert client.get(f"/admin/frameworks/{promise.id}/remove").status_code == 404
    before = (_count(Framework), _count(FrameworkElement))
    cases = [
        ("name,examples\nSafe,x\n", "no 'description' column"),
        ("name,description,examples\nSafe,a,b\nSafe,c,d\n", "Row 3: The name 'Safe' is already used in row 2"),
        ("name,description,examples\n=cmd|' /C calc'!A0,a,b\n", "formula"),
        ("name,description,examples\n" + "".join(f"E{n},d,e\n" for n in range(10_000)), "at most 50 elements"),
    ]
    for body, message in cases:
        response = client.post("/admin/frameworks/new", content_type="multipart/form-data",
                               data={"csrf_token": token, "organisation_id": org.id, "name": "Our values"} | _csv(body))
        html = markup.unescape(response.get_data(as_text=True))
        assert response.status_code == 400, message
        assert message in html, message
        assert (_count(Framework), _count(FrameworkElement)) == before
    latin = client.post("/admin/frameworks/new", content_type="multipart/form-data", data={
        "csrf_token": token, "organisation_id": org.id, "name": "Our values",
        "file": (io.BytesIO("name,description,examples\nSécurité,a,b\n".encode("latin-1")), "f.csv")})
    assert latin.status_code == 400 and "UTF-8" in latin.get_data(as_text=True)
    other = make_org("Hillside Trust")
    foreign = client.post("/admin/frameworks/new", content_type="multipart/form-data",
                          data={"csrf_token": token, "organisation_id": other.id, "name": "Theirs"})
    assert foreign.status_code == 400  # not an organisation this admin manages: refused on the form
    assert (_count(Framework), _count(FrameworkElement)) == before


def test_admin_uploads_then_edits_a_framework_in_forms(client, login, make_user, org):
    token = login(make_user("admin", organisation=org))
    good = "name,description,examples\nSafe staffing,Enough staff,More nurses | Fill gaps\nFair pay,Pay,Overtime\n"
    response = client.post("/admin/frameworks/new", content_type="multipart/form-data",
                           data={"csrf_token": token, "organisation_id": org.id, "name": "Our values"} | _csv(good))
    assert response.status_code == 302
    framework = db.session.scalar(sa.select(Framework).where(Framework.name == "Our values"))
    assert response.headers["Location"].endswith(f"/admin/frameworks/{framework.id}")
    assert [e.name for e in framework.elements] == ["Safe staffing", "Fair pay"]
    added = client.post(f"/admin/frameworks/{framework.id}/elements", data={
        "csrf_token": token, "new-name": "Flexible working", "new-description": "", "new-examples": "Self rostering\n\nCompressed hours"})
    assert added.status_code == 302
    duplicate = client.post(f"/admin/frameworks/{framework.id}/elements", data={"csrf_token": token, "new-name": "fair pay"})
    assert duplicate.status_code == 400 and "already has an element" in duplicate.get_data(as_text=True)
    db.session.expire_all()
    element = db.session.get_one(Framework, framework.id).elements[-1]
    assert element.examples == ["Self rostering", "Compressed hours"]
    page = client.get(f"/admin/frameworks/{framework.id}").get_data(as_text=True)
    assert "Move up" in page and "Move down" in page
    moved = client.post(f"/admin/frameworks/{framework.id}/elements/{element.id}/move",
                        data={"csrf_token": token, "direction": "up"})
    assert moved.status_code == 302
    db.session.expire_all()
    assert [e.name for e in db.session.get_one(Framework, framework.id).elements] == \
        ["Safe staffing", "Flexible working", "Fair pay"]
    assert client.post(f"/admin/frameworks/{framework.id}/elements/{element.id}/move",
                       data={"direction": "up"}).status_code == 400  # no CSRF token: refused, nothing moves
    db.session.expire_all()
    assert db.session.get_one(Framework, framework.id).elements[1].name == "Flexible working"
    element = db.session.get_one(Framework, framework.id).elements[1]
    assert client.post(f"/admin/frameworks/{framework.id}/elements/{element.id}", data={
        "csrf_token": token, "name": "Flexible work", "examples": "Nine-day fortnight"}).status_code == 302
    assert client.post(f"/admin/frameworks/{framework.id}/elements/{element.id}/remove",
                       data={"csrf_token": token}).status_code == 302
    no_csrf = client.post(f"/admin/frameworks/{framework.id}/remove", data={})
    assert no_csrf.status_code in (200, 400)
    assert db.session.get(Framework, framework.id) is not None
    assert client.post(f"/admin/frameworks/{framework.id}/remove", data={"csrf_token": token}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Framework, framework.id) is None
