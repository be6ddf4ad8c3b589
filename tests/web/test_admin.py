"""Admin pages: access rules, organisations, staff groups, people, tokens and bulk upload."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import ApiToken, Organisation, StaffGroup, User
from app.services.accounts import users
from tests.conftest import PASSWORD


def _admin(make_user, org):
    return make_user("admin", organisation=org)


GET_ROUTES = [
    "/admin/", "/admin/organisations", "/admin/organisations/new", "/admin/organisations/{org}",
    "/admin/organisations/{org}/staff-groups/{group}", "/admin/organisations/{org}/staff-groups/{group}/remove",
    "/admin/partnerships", "/admin/people", "/admin/people/new", "/admin/people/{person}", "/admin/people/upload",
]
POST_ROUTES = [
    "/admin/organisations/new", "/admin/organisations/{org}", "/admin/organisations/{org}/staff-groups",
    "/admin/organisations/{org}/staff-groups/{group}", "/admin/organisations/{org}/staff-groups/{group}/remove",
    "/admin/partnerships", "/admin/people/new", "/admin/people/{person}/membership", "/admin/people/{person}/active",
    "/admin/people/{person}/password", "/admin/people/{person}/tokens", "/admin/people/{person}/tokens/1/revoke",
    "/admin/people/upload",
]


def _fill(path, org, person):
    return path.format(org=org.id, group=org.staff_groups[0].id, person=person.id)


def test_anonymous_people_are_sent_to_sign_in(client, org, make_user):
    person = make_user()
    for path in GET_ROUTES:
        response = client.get(_fill(path, org, person))
        assert response.status_code == 302 and response.headers["Location"].startswith("/auth/sign-in"), path


def test_participants_and_facilitators_get_404(client, login, org, make_user):
    person = make_user()
    for role in ("participant", "facilitator", "lead"):
        client.get("/auth/sign-out")
        with client.session_transaction() as session:
            session.clear()
        token = login(make_user(role))
        for path in GET_ROUTES:
            assert client.get(_fill(path, org, person)).status_code == 404, (role, path)
        for path in POST_ROUTES:
            assert client.post(_fill(path, org, person), data={"csrf_token": token}).status_code == 404, (role, path)


def test_admin_of_another_organisation_gets_404(client, login, org, make_org, make_user):
    other = make_org("Hillside Trust")
    person = make_user()  # in org
    token = login(make_user("admin", organisation=other))
    for path in GET_ROUTES:
        if "{org}" in path or "{person}" in path:
            assert client.get(_fill(path, org, person)).status_code == 404, path
    for path in POST_ROUTES:
        if "{org}" in path or "{person}" in path:
            assert client.post(_fill(path, org, person), data={"csrf_token": token}).status_code == 404, path
    # Lists show only their own organisation and people.
    assert "Riverside Test Trust" not in client.get("/admin/organisations").get_data(as_text=True)
    assert person.email not in client.get("/admin/people").get_data(as_text=True)
    # Creating a person in someone else's organisation is refused as a form error.
    response = client.post("/admin/people/new", data={
        "csrf_token": token, "email": "new@trust.nhs.uk", "display_name": "New", "organisation_id": org.id,
        "role": "participant", "password": PASSWORD})
    assert response.status_code == 400 and "Choose an organisation from the list" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(User).where(User.email == "new@trust.nhs.uk")) is None


def test_dashboard_and_navigation(client, login, org, make_user):
    login(_admin(make_user, org))
    html = client.get("/admin/").get_data(as_text=True)
    assert "Riverside Test Trust" in html and 'href="/admin/"' in html and 'href="/facilitate/"' in html


def test_create_and_edit_organisation_with_errors(client, login, org, make_user):
    admin = _admin(make_user, org)
    token = login(admin)
    created = client.post("/admin/organisations/new", data={"csrf_token": token, "name": "Hillside Trust", "code": "rh2", "partnership_id": ""})
    assert created.status_code == 302
    new = db.session.scalar(sa.select(Organisation).where(Organisation.code == "RH2"))
    assert new is not None and admin.role_in(new.id) == "admin"
    count = db.session.scalar(sa.select(sa.func.count()).select_from(Organisation))
    duplicate = client.post("/admin/organisations/new", data={"csrf_token": token, "name": "Another", "code": "RH2"})
    assert duplicate.status_code == 400 and "An organisation with that code already exists" in duplicate.get_data(as_text=True)
    empty = client.post("/admin/organisations/new", data={"csrf_token": token, "name": "", "code": ""})
    assert empty.status_code == 400 and "Enter the organisation" in empty.get_data(as_text=True)
    long = client.post("/admin/organisations/new", data={"csrf_token": token, "name": "x" * 161, "code": "ZZ1"})
    assert long.status_code == 400 and "160 characters or fewer" in long.get_data(as_text=True)
    bad_code = client.post("/admin/organisations/new", data={"csrf_token": token, "name": "Good name", "code": "a b"})
    assert bad_code.status_code == 400 and "letters, numbers or hyphens" in bad_code.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Organisation)) == count
    # Partnership, then assign the organisation to it and rename it.
    assert client.post("/admin/partnerships", data={"csrf_token": token, "name": "North Partnership"}).status_code == 302
    assert client.post("/admin/partnerships", data={"csrf_token": token, "name": "north partnership"}).status_code == 400
    partnership_id = users.db.session.execute(sa.text("SELECT id FROM partnership")).scalar()
    saved = client.post(f"/admin/organisations/{new.id}", data={"csrf_token": token, "name": "Hillside NHS Trust", "code": "RH2", "partnership_id": partnership_id})
    assert saved.status_code == 302
    db.session.expire_all()
    assert db.session.get(Organisation, new.id).name == "Hillside NHS Trust"
    assert "Hillside NHS Trust" in client.get("/admin/partnerships").get_data(as_text=True)
    clash = client.post(f"/admin/organisations/{new.id}", data={"csrf_token": token, "name": org.name, "code": "RH2"})
    assert clash.status_code == 400 and "name already exists" in clash.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Organisation, new.id).name == "Hillside NHS Trust"


def test_staff_groups_add_rename_remove(client, login, org, make_user):
    token = login(_admin(make_user, org))
    member = make_user(staff_group="Medical")
    assert client.post(f"/admin/organisations/{org.id}/staff-groups", data={"csrf_token": token, "new-name": "Estates"}).status_code == 302
    duplicate = client.post(f"/admin/organisations/{org.id}/staff-groups", data={"csrf_token": token, "new-name": "estates"})
    assert duplicate.status_code == 400 and "already has a staff group called" in duplicate.get_data(as_text=True)
    empty = client.post(f"/admin/organisations/{org.id}/staff-groups", data={"csrf_token": token, "new-name": ""})
    assert empty.status_code == 400
    medical = db.session.scalar(sa.select(StaffGroup).where(StaffGroup.name == "Medical"))
    renamed = client.post(f"/admin/organisations/{org.id}/staff-groups/{medical.id}", data={"csrf_token": token, "name": "Medical and Dental"})
    assert renamed.status_code == 302
    clash = client.post(f"/admin/organisations/{org.id}/staff-groups/{medical.id}", data={"csrf_token": token, "name": "Nursing"})
    assert clash.status_code == 400
    db.session.expire_all()
    assert db.session.get(StaffGroup, medical.id).name == "Medical and Dental"
    assert "Are you sure" in client.get(f"/admin/organisations/{org.id}/staff-groups/{medical.id}/remove").get_data(as_text=True)
    assert client.post(f"/admin/organisations/{org.id}/staff-groups/{medical.id}/remove", data={"csrf_token": token}).status_code == 302
    db.session.expire_all()
    assert db.session.get(StaffGroup, medical.id) is None
    assert db.session.get(User, member.id).memberships[0].staff_group_id is None


def test_people_search_pagination_and_create(client, login, org, make_user):
    token = login(_admin(make_user, org))
    for n in range(27):
        make_user(email=f"person{n:02d}@trust.nhs.uk")
    first = client.get("/admin/people").get_data(as_text=True)
    assert "28 people" in first and "Page 2 of 2" in first
    found = client.get("/admin/people?q=person05").get_data(as_text=True)
    assert "person05@trust.nhs.uk" in found and "person06@trust.nhs.uk" not in found and "1 person" in found
    assert "Nobody matches" in client.get("/admin/people?q=%25%25").get_data(as_text=True)
    group = org.staff_groups[0]
    data = {"csrf_token": token, "email": "New.Person@Trust.nhs.uk", "display_name": "New Person",
            "organisation_id": org.id, "role": "facilitator", "staff_group_id": group.id, "password": PASSWORD}
    created = client.post("/admin/people/new", data=data)
    assert created.status_code == 302
    person = db.session.scalar(sa.select(User).where(User.email == "new.person@trust.nhs.uk"))
    assert person.role_in(org.id) == "facilitator" and person.memberships[0].staff_group_id == group.id
    assert users.authenticate("new.person@trust.nhs.uk", PASSWORD) is not None
    for change, message in [({"email": "new.person@trust.nhs.uk"}, "already exists"), ({"email": "not-an-email"}, "correct format"),
                            ({"email": "x@trust.nhs.uk", "password": "short"}, "10 characters or more"),
                            ({"email": "x@trust.nhs.uk", "display_name": ""}, "Enter their name"),
                            ({"email": "x@trust.nhs.uk", "role": "owner"}, "Choose a role")]:
        response = client.post("/admin/people/new", data=data | change)
        assert response.status_code == 400 and message in response.get_data(as_text=True), change
    assert db.session.scalar(sa.select(User).where(User.email == "x@trust.nhs.uk")) is None


def test_roles_accounts_passwords_and_tokens(client, login, org, make_org, make_user):
    admin = _admin(make_user, org)
    second = make_org("Second Trust")
    users.set_membership(admin, second, "admin")
    token = login(admin)
    person = make_user()
    page = client.get(f"/admin/people/{person.id}").get_data(as_text=True)
    assert person.email in page and "never shows anyone" in page
    assert client.post(f"/admin/people/{person.id}/membership", data={"csrf_token": token, "organisation_id": org.id, "role": "lead", "staff_group_id": ""}).status_code == 302
    assert client.post(f"/admin/people/{person.id}/membership", data={"csrf_token": token, "organisation_id": second.id, "role": "participant", "staff_group_id": second.staff_groups[0].id}).status_code == 302
    wrong_group = client.post(f"/admin/people/{person.id}/membership", data={"csrf_token": token, "organisation_id": second.id, "role": "participant", "staff_group_id": org.staff_groups[0].id})
    assert wrong_group.status_code == 400 and "Choose a staff group of Second Trust" in wrong_group.get_data(as_text=True)
    db.session.expire_all()
    person = db.session.get(User, person.id)
    assert person.role_in(org.id) == "lead" and person.role_in(second.id) == "participant"
    self_demote = client.post(f"/admin/people/{admin.id}/membership", data={"csrf_token": token, "organisation_id": org.id, "role": "participant"})
    assert self_demote.status_code == 400 and "cannot remove your own admin role" in self_demote.get_data(as_text=True)
    # Deactivate and reactivate; an admin cannot deactivate themselves.
    assert client.post(f"/admin/people/{person.id}/active", data={"csrf_token": token, "active": "0"}).status_code == 302
    db.session.expire_all()
    assert not db.session.get(User, person.id).active and users.authenticate(person.email, PASSWORD) is None
    client.post(f"/admin/people/{person.id}/active", data={"csrf_token": token, "active": "1"})
    db.session.expire_all()
    assert db.session.get(User, person.id).active
    client.post(f"/admin/people/{admin.id}/active", data={"csrf_token": token, "active": "0"})
    db.session.expire_all()
    assert db.session.get(User, admin.id).active
    # Passwords.
    mismatch = client.post(f"/admin/people/{person.id}/password", data={"csrf_token": token, "password": "a-new-password-1", "confirm": "different-one-2"})
    assert mismatch.status_code == 400 and "do not match" in mismatch.get_data(as_text=True)
    assert client.post(f"/admin/people/{person.id}/password", data={"csrf_token": token, "password": "a-new-password-1", "confirm": "a-new-password-1"}).status_code == 302
    assert users.authenticate(person.email, "a-new-password-1") is not None
    # Tokens: an admin issues their own (shown once, only the hash stored, usable), revokes anyone's.
    issued = client.post(f"/admin/people/{admin.id}/tokens", data={"csrf_token": token, "name": "Power BI"})
    assert issued.status_code == 201 and issued.headers["Cache-Control"] == "no-store"
    secret = issued.get_data(as_text=True).split('id="token">')[1].split("<")[0]
    assert secret.startswith("chorus_") and secret not in client.get(f"/admin/people/{admin.id}").get_data(as_text=True)
    assert users.user_for_token(secret).id == admin.id
    assert client.post(f"/admin/people/{admin.id}/tokens", data={"csrf_token": token, "name": ""}).status_code == 400
    theirs = users.create_api_token(person, "Their own")
    record = db.session.scalar(sa.select(ApiToken).where(ApiToken.user_id == person.id))
    assert client.post(f"/admin/people/{person.id}/tokens/{record.id}/revoke", data={"csrf_token": token}).status_code == 302
    assert users.user_for_token(theirs) is None
    assert client.post(f"/admin/people/{admin.id}/tokens/{record.id}/revoke", data={"csrf_token": token}).status_code == 404


def _csv(rows: str) -> dict:
    return {"file": (io.BytesIO(rows.encode()), "people.csv")}


def test_bulk_upload_is_all_or_nothing_with_row_errors(client, login, org, make_user, monkeypatch):
    from app.services.common import csvfile

    monkeypatch.setattr(csvfile, "MAX_CSV_BYTES", 4096)  # a small limit, so the test sends a small body
    token = login(_admin(make_user, org))
    existing = make_user()
    before = db.session.scalar(sa.select(sa.func.count()).select_from(User))
    bad = ("email,display name,organisation code,staff group,role\n"
           f"a1@trust.nhs.uk,Ann One,{org.code},Nursing,participant\n"
           "not-an-email,Bob,ZZZ,Nursing,boss\n"
           f"a1@trust.nhs.uk,Ann Again,{org.code},,participant\n"
           f"{existing.email},Existing,{org.code},Dentistry,lead\n")
    response = client.post("/admin/people/upload", data={"csrf_token": token} | _csv(bad), content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "nothing was imported" in html.lower()
    assert "Row 3:" in html and "correct format" in html and "not a role" in html and "ZZZ" in html
    assert "Row 4:" in html and "also on row 2" in html
    assert "Row 5:" in html and "no staff group called" in html and "already exists" in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == before
    missing_column = client.post("/admin/people/upload", data={"csrf_token": token} | _csv("email,name\nx@y.nhs.uk,X\n"), content_type="multipart/form-data")
    assert missing_column.status_code == 400 and "column called" in missing_column.get_data(as_text=True)
    too_big = client.post("/admin/people/upload", data={"csrf_token": token} | _csv("email\n" + "x" * 5000), content_type="multipart/form-data")
    assert too_big.status_code == 400 and "smaller than 4 KB" in too_big.get_data(as_text=True)
    no_file = client.post("/admin/people/upload", data={"csrf_token": token}, content_type="multipart/form-data")
    assert no_file.status_code == 400 and "Choose a CSV file" in no_file.get_data(as_text=True)
    good = ("Email,Display name,Organisation code,Staff group,Role\n"
            f"b1@trust.nhs.uk,Bea One,{org.code.lower()},nursing,participant\n"
            f"b2@trust.nhs.uk,Bea Two,{org.code},,facilitator\n")
    done = client.post("/admin/people/upload", data={"csrf_token": token} | _csv(good), content_type="multipart/form-data")
    assert done.status_code == 201 and done.get_data(as_text=True).count("/auth/set-password/") == 2
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == before + 2
    b2 = db.session.scalar(sa.select(User).where(User.email == "b2@trust.nhs.uk"))
    assert b2.role_in(org.id) == "facilitator" and b2.password_hash is None


@pytest.mark.parametrize("path", ["/admin/people/{person}", "/admin/people"])
def test_admin_pages_never_show_content(client, login, org, make_user, make_conversation, path):
    from app.services.content import ideas
    from app.services.common.participants import Participant

    person = make_user()
    conversation = make_conversation()
    ideas.post_idea(Participant.from_user(person), conversation.questions[0].id, "A secret idea about rotas")
    login(_admin(make_user, org))
    assert "A secret idea" not in client.get(path.format(person=person.id)).get_data(as_text=True)
