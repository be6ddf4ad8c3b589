"""A8: nobody acts as someone else unseen: admin resets, SSO accounts, set-password links and sign-out."""

from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa

from app.extensions import db
from app.models import ApiToken, User
from app.models.base import utcnow
from app.services.accounts import users
from tests.anonymity.dumps import added_rows, changed_tables
from tests.anonymity.dumps import dump as _full_dump
from tests.conftest import PASSWORD, csrf_token

def dump():  # type: ignore[no-untyped-def]
    """dumps.dump(), minus SQLAlchemy's warning that reflected conversation/theme_run foreign keys form a cycle."""
    import warnings

    from sqlalchemy.exc import SAWarning

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Cannot correctly sort tables", SAWarning)
        return _full_dump()


ADMIN_CHOSEN = "admin-chosen-password-1"
OWN = "only-i-know-this-one-9"


def _reset(client, token, person, password=ADMIN_CHOSEN):  # type: ignore[no-untyped-def]
    return client.post(f"/admin/people/{person.id}/password",
                       data={"csrf_token": token, "password": password, "confirm": password})


def _sign_in(client, email, password):  # type: ignore[no-untyped-def]
    token = csrf_token(client)
    return client.post("/auth/sign-in", data={"email": email, "password": password, "csrf_token": token})


def test_sso_accounts_have_no_password_and_admins_cannot_set_one(app, client, login, make_user) -> None:  # type: ignore[no-untyped-def]
    token = login(make_user("admin"))
    nurse = make_user()
    nurse.sso_subject, nurse.password_hash = "tenant:object-1", None
    db.session.commit()
    page = client.get(f"/admin/people/{nurse.id}").get_data(as_text=True)
    assert "Set a new password" not in page and "Reset their password" not in page
    assert _reset(client, token, nurse).status_code == 400
    db.session.refresh(nurse)
    assert nurse.password_hash is None
    assert users.authenticate(nurse.email, ADMIN_CHOSEN) is None


def test_linking_sso_removes_an_existing_password(app, make_user) -> None:  # type: ignore[no-untyped-def]
    from app.services.accounts.sso import SsoIdentity, SsoPolicy, sign_in_with_sso

    nurse = make_user(email="nurse@trust.nhs.uk")
    identity = SsoIdentity(subject="tenant:object-2", tenant=None, email=nurse.email, email_verified=True,
                           display_name="Nurse")
    policy = SsoPolicy.parse(f"trust.nhs.uk={nurse.memberships[0].organisation.code}")
    assert sign_in_with_sso(identity, policy).id == nurse.id
    assert nurse.password_hash is None and users.authenticate(nurse.email, PASSWORD) is None


def test_an_admin_reset_cannot_be_used_to_read_what_someone_wrote(app, client, login, make_user, make_conversation) -> None:  # type: ignore[no-untyped-def]
    admin_token = login(make_user("admin"))
    nurse = make_user()
    conversation = make_conversation()
    assert _reset(client, admin_token, nurse).status_code == 302
    client.get("/auth/sign-out")
    client.post("/auth/sign-out", data={"csrf_token": admin_token})
    signed_in = _sign_in(client, nurse.email, ADMIN_CHOSEN)
    assert signed_in.status_code == 302
    # Until the person chooses their own password, nothing that shows what the account wrote is reachable.
    for path in (f"/conversations/{conversation.id}/mine", f"/conversations/{conversation.id}", "/"):
        response = client.get(path)
        assert response.status_code == 302 and response.headers["Location"].startswith("/auth/password"), path
    assert client.get(f"/api/v1/conversations/{conversation.id}/mine").status_code in (401, 403)
    page = client.get("/auth/password").get_data(as_text=True)
    assert "reset by an admin" in page.lower()
    # One-time: the same password does not work a second time (the admin cannot come back with it).
    fresh = app.test_client()
    assert _sign_in(fresh, nurse.email, ADMIN_CHOSEN).status_code == 400


def test_an_admin_reset_ends_every_session_and_token(app, client, login, make_user) -> None:  # type: ignore[no-untyped-def]
    nurse = make_user()
    login(nurse)
    secret = users.create_api_token(nurse, "phone")
    assert client.get("/api/v1/me").status_code == 200
    admin_client = app.test_client()
    _sign_in(admin_client, make_user("admin").email, PASSWORD)
    assert _reset(admin_client, csrf_token(admin_client, "/"), nurse).status_code == 302
    assert client.get("/api/v1/me").status_code == 401
    assert app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 401
    assert all(t.revoked for t in db.session.scalars(sa.select(ApiToken).where(ApiToken.user_id == nurse.id)))


def test_the_person_replaces_the_admin_password_and_sees_the_reset(app, client, login, make_user) -> None:  # type: ignore[no-untyped-def]
    admin_token = login(make_user("admin"))
    nurse = make_user()
    _reset(client, admin_token, nurse)
    client.post("/auth/sign-out", data={"csrf_token": admin_token})
    _sign_in(client, nurse.email, ADMIN_CHOSEN)
    token = csrf_token(client, "/auth/password")
    mismatch = client.post("/auth/password", data={"csrf_token": token, "password": OWN, "confirm": "other-words-22"})
    assert mismatch.status_code == 400 and "do not match" in mismatch.get_data(as_text=True)
    done = client.post("/auth/password", data={"csrf_token": token, "password": OWN, "confirm": OWN})
    assert done.status_code == 302
    assert client.get("/").status_code == 200
    assert users.authenticate(nurse.email, ADMIN_CHOSEN) is None
    assert users.authenticate(nurse.email, OWN) is not None
    # The reset stays on record in their account, so a reset they did not ask for is visible later too.
    assert "reset by an admin" in client.get("/auth/password").get_data(as_text=True).lower()


def test_staff_change_their_own_password_with_the_current_one(app, client, login, make_user) -> None:  # type: ignore[no-untyped-def]
    nurse = make_user()
    token = login(nurse)
    other = app.test_client()
    _sign_in(other, nurse.email, PASSWORD)
    page = client.get("/auth/password")
    assert page.status_code == 200 and "Current password" in page.get_data(as_text=True)
    wrong = client.post("/auth/password", data={"csrf_token": token, "current": "not-my-password",
                                                "password": OWN, "confirm": OWN})
    assert wrong.status_code == 400 and users.authenticate(nurse.email, PASSWORD) is not None
    assert client.post("/auth/password", data={"csrf_token": token, "current": PASSWORD,
                                               "password": OWN, "confirm": OWN}).status_code == 302
    assert client.get("/api/v1/me").status_code == 200  # this session goes on
    assert other.get("/api/v1/me").status_code == 401  # every other one ends
    assert users.authenticate(nurse.email, OWN) is not None


def test_bulk_upload_issues_one_time_links_stored_only_as_hashes(app, client, login, make_user, org) -> None:  # type: ignore[no-untyped-def]
    import io

    token = login(make_user("admin"))
    before = dump()
    rows = f"email,display name,organisation code,staff group,role\nnew.starter@trust.nhs.uk,New Starter,{org.code},Nursing,participant\n"
    response = client.post("/admin/people/upload", data={"csrf_token": token, "file": (io.BytesIO(rows.encode()), "p.csv")},
                           content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 201 and response.headers["Cache-Control"] == "no-store"
    links = re.findall(r"https?://[^\s\"<]+/auth/set-password/([A-Za-z0-9_-]+)", html)
    assert len(links) == 1 and "7 days" in html
    after = dump()
    stored = repr(after)
    assert links[0] not in stored  # only a hash is kept
    user = db.session.scalar(sa.select(User).where(User.email == "new.starter@trust.nhs.uk"))
    assert user.password_hash is None  # never a usable password
    assert set(changed_tables(before, after)) >= {"user", "membership", "password_link"}
    assert added_rows(before, after, "password_link")[0]["expires_at"] <= utcnow().replace(tzinfo=None) + timedelta(days=7, hours=1)
    client.post("/auth/sign-out", data={"csrf_token": token})
    page = client.get(f"/auth/set-password/{links[0]}")
    assert page.status_code == 200
    token = csrf_token(client, f"/auth/set-password/{links[0]}")
    done = client.post(f"/auth/set-password/{links[0]}", data={"csrf_token": token, "password": OWN, "confirm": OWN})
    assert done.status_code == 302 and client.get("/api/v1/me").get_json()["display_name"] == "New Starter"
    assert users.authenticate(user.email, OWN) is not None
    assert app.test_client().get(f"/auth/set-password/{links[0]}").status_code == 404  # used once


def test_set_password_links_expire(app, client, make_user) -> None:  # type: ignore[no-untyped-def]
    from app.models import PasswordLink
    from app.services.accounts import passwords

    nurse = make_user()
    nurse.password_hash = None
    db.session.commit()
    link = passwords.issue_link(nurse)
    assert client.get(f"/auth/set-password/{link}").status_code == 200
    record = db.session.scalar(sa.select(PasswordLink).where(PasswordLink.user_id == nurse.id))
    record.expires_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    assert client.get(f"/auth/set-password/{link}").status_code == 404
    assert client.get("/auth/set-password/not-a-real-link").status_code == 404


def test_a_cookie_copied_before_sign_out_stops_working(app, client, login, make_user) -> None:  # type: ignore[no-untyped-def]
    nurse = make_user()
    token = login(nurse)
    copied = client.get_cookie("session").value
    before = dump()
    client.post("/auth/sign-out", data={"csrf_token": token})
    after = dump()
    thief = app.test_client()
    thief.set_cookie("session", copied)
    assert thief.get("/api/v1/me").status_code == 401
    # Sign-out writes nothing that carries or points to a person.
    changed = changed_tables(before, after)
    assert set(changed) <= {"revoked_session"}
    for row in added_rows(before, after, "revoked_session"):
        assert not any("user" in column for column in row) and nurse.email not in repr(row)
        assert row["expires_at"].minute == 0 and row["expires_at"].second == 0  # no clock finer than the hour


def test_session_cookie_is_secure_in_production_by_default(database_url) -> None:  # type: ignore[no-untyped-def]
    from app import create_app

    keys = {"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, "CHORUS_ENV": "production",
            "SECRET_KEY": "s" * 40, "CHORUS_PSEUDONYM_KEY": "p" * 48}
    production = create_app(keys | {"SESSION_COOKIE_SECURE": None})
    assert production.config["SESSION_COOKIE_SECURE"] is True and production.config["REMEMBER_COOKIE_SECURE"] is True
    plain_http = create_app(keys | {"SESSION_COOKIE_SECURE": False})
    assert plain_http.config["SESSION_COOKIE_SECURE"] is False
    development = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, "CHORUS_ENV": "development",
                              "SESSION_COOKIE_SECURE": None})
    assert development.config["SESSION_COOKIE_SECURE"] is False


def test_cli_users_create_never_leaves_the_operator_a_working_password(app, runner, org) -> None:  # type: ignore[no-untyped-def]
    linked = runner.invoke(args=["users", "create", "--email", "cli.link@trust.nhs.uk", "--org", org.code])
    assert linked.exit_code == 0, linked.output
    secret = re.search(r"/auth/set-password/([A-Za-z0-9_-]+)", linked.output).group(1)
    user = db.session.scalar(sa.select(User).where(User.email == "cli.link@trust.nhs.uk"))
    assert user.password_hash is None and secret not in repr(dump())
    client = app.test_client()
    assert client.get(f"/auth/set-password/{secret}").status_code == 200
    chosen = runner.invoke(args=["users", "create", "--email", "cli.pw@trust.nhs.uk", "--org", org.code,
                                 "--password", ADMIN_CHOSEN])
    assert chosen.exit_code == 0 and "works once" in chosen.output
    assert _sign_in(client, "cli.pw@trust.nhs.uk", ADMIN_CHOSEN).status_code == 302
    assert client.get("/").headers["Location"].startswith("/auth/password")
    assert _sign_in(app.test_client(), "cli.pw@trust.nhs.uk", ADMIN_CHOSEN).status_code == 400


def test_admin_created_accounts_start_with_a_one_time_password(app, client, login, make_user, org) -> None:  # type: ignore[no-untyped-def]
    token = login(make_user("admin"))
    created = client.post("/admin/people/new", data={
        "csrf_token": token, "email": "fresh@trust.nhs.uk", "display_name": "Fresh Face", "organisation_id": org.id,
        "role": "participant", "staff_group_id": "", "password": ADMIN_CHOSEN})
    assert created.status_code == 302
    client.post("/auth/sign-out", data={"csrf_token": token})
    assert _sign_in(client, "fresh@trust.nhs.uk", ADMIN_CHOSEN).status_code == 302
    assert client.get("/").headers["Location"].startswith("/auth/password")
    assert "chosen by an admin" in client.get("/auth/password").get_data(as_text=True)


def test_a_guest_has_no_password_page(app, client, make_conversation) -> None:  # type: ignore[no-untyped-def]
    from app.services.moderation import decisions

    conversation = make_conversation()
    decisions.update_settings(conversation, moderation_mode="post", report_threshold=3, allow_guests=True)
    joined = client.post("/join", data={"csrf_token": csrf_token(client, "/join"), "code": conversation.join_code})
    assert joined.status_code == 302
    assert client.get("/auth/password").status_code in (302, 404)


def test_signing_in_and_out_around_a_post_rewrites_no_person_row(app, client, make_user, make_conversation) -> None:  # type: ignore[no-untyped-def]
    """Session revocation must not date a post: the person's rows (and, on PostgreSQL, their xmin) stay as they were."""
    nurse = make_user()
    question = make_conversation().questions[0]
    before = dump()
    _sign_in(client, nurse.email, PASSWORD)
    token = csrf_token(client, "/")
    assert client.post(f"/questions/{question.id}/ideas", data={"body": "Lockers that work on nights",
                                                                "csrf_token": token}).status_code == 302
    client.post("/auth/sign-out", data={"csrf_token": token})
    after = dump()
    for table in ("user", "membership", "api_token", "password_link"):
        assert before[table] == after[table], table  # xmin and ctid included on PostgreSQL
    for row in added_rows(before, after, "revoked_session"):
        assert set(row) - {"xmin", "ctid"} == {"sid_hash", "expires_at"}


def test_a_one_time_password_is_spent_by_exactly_one_sign_in(app, make_user, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Two sign-ins racing with the same one-time password: the database lets only one spend it."""
    from app.services.accounts import passwords

    admin, nurse = make_user("admin"), make_user()
    passwords.admin_reset(admin, nurse, ADMIN_CHOSEN, ADMIN_CHOSEN)
    real = users._hasher

    class OtherSignInCommitsFirst:
        """Verifies as argon2 does, then lets a rival sign-in spend the password before this one can."""

        def verify(self, stored: str, password: str) -> bool:
            result = real.verify(stored, password)
            db.session.execute(sa.update(User).where(User.id == nurse.id).values(password_hash="!rival"))
            db.session.commit()
            return result

        def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
            return getattr(real, name)

    monkeypatch.setattr(users, "_hasher", OtherSignInCommitsFirst())
    assert users.authenticate(nurse.email, ADMIN_CHOSEN) is None
    monkeypatch.setattr(users, "_hasher", real)
    passwords.admin_reset(admin, nurse, ADMIN_CHOSEN, ADMIN_CHOSEN)
    first = users.authenticate(nurse.email, ADMIN_CHOSEN)
    assert first is not None and first.must_change_password and not first.has_password
    assert users.authenticate(nurse.email, ADMIN_CHOSEN) is None
