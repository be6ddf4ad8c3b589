"""Single sign-on account rules on verified claims: the allow list, identity keys, organisations, no half-made accounts."""

from __future__ import annotations

import hashlib

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import User
from app.services.accounts import users
from app.services.common.errors import InvalidInput
from app.services.accounts.sso import SignInRefused, SsoIdentity, SsoPolicy, sign_in_with_sso

TENANT = "11111111-2222-3333-4444-555555555555"
OID = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"


def test_the_allow_list_reads_tenants_and_domains_with_optional_organisations() -> None:
    policy = SsoPolicy.parse(f" {TENANT.upper()}=T001, @Partner.NHS.uk , nhs.net=RVR ")
    assert policy.tenants == {TENANT: "T001"}
    assert policy.domains == {"partner.nhs.uk": None, "nhs.net": "RVR"}
    for bad in ("", "nhs", "nhs.net=R V R", "http://nhs.net"):
        with pytest.raises(InvalidInput):
            SsoPolicy.parse(bad)


def test_entra_identities_are_tenant_and_object_id_others_a_hash_of_issuer_and_subject() -> None:
    entra = SsoIdentity.from_claims({"iss": "https://x", "sub": "s", "tid": TENANT.upper(), "oid": OID,
                                     "preferred_username": "sam.jones@nhs.net", "name": "Sam"})
    assert entra.subject == f"{TENANT}:{OID}" and entra.email == "sam.jones@nhs.net" and entra.tenant == TENANT
    other = SsoIdentity.from_claims({"iss": "https://idp.example", "sub": "12345", "email": "pat@x.nhs.uk",
                                     "email_verified": True, "preferred_username": "ignored@x"})
    expected = "oidc:" + hashlib.sha256(b"https://idp.example\n12345").hexdigest()
    assert other.subject == expected and other.tenant is None and other.email_verified
    same_sub_elsewhere = SsoIdentity.from_claims({"iss": "https://other.example", "sub": "12345"})
    assert same_sub_elsewhere.subject != other.subject and same_sub_elsewhere.email is None


def test_a_new_account_goes_to_the_email_domains_organisation_before_the_tenants(make_org) -> None:  # type: ignore[no-untyped-def]
    tenant_org, domain_org = make_org("Tenant Trust"), make_org("Domain Trust")
    policy = SsoPolicy.parse(f"{TENANT}={tenant_org.code}, ward.nhs.uk={domain_org.code}")
    user = sign_in_with_sso(SsoIdentity.from_claims({"tid": TENANT, "oid": OID, "email": "a@ward.nhs.uk"}), policy)
    assert user.organisation_ids == {domain_org.id}
    other = sign_in_with_sso(SsoIdentity.from_claims({"tid": TENANT, "oid": OID[:-1] + "f", "email": "b@nhs.net"}), policy)
    assert other.organisation_ids == {tenant_org.id}


def test_an_unknown_organisation_code_refuses_without_making_anything(org) -> None:  # type: ignore[no-untyped-def]
    policy = SsoPolicy.parse(f"{TENANT}=NOPE")
    with pytest.raises(SignInRefused, match="not made automatically"):
        sign_in_with_sso(SsoIdentity.from_claims({"tid": TENANT, "oid": OID, "email": "a@nhs.net"}), policy)
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0


def test_a_clash_on_the_user_key_is_refused_cleanly(org) -> None:  # type: ignore[no-untyped-def]
    # An account whose user_key is this subject but that is not linked (an admin cleared the link by hand):
    # creating a second one fails on the unique user_key, is rolled back, and is refused with a clear message.
    squatter = users.create_user("old@nhs.net", organisation=org, password=None)
    squatter.user_key = f"{TENANT}:{OID}"
    db.session.commit()
    policy = SsoPolicy.parse(f"{TENANT}={org.code}")
    with pytest.raises(SignInRefused, match="Another account already uses"):
        sign_in_with_sso(SsoIdentity.from_claims({"tid": TENANT, "oid": OID, "email": "new@nhs.net"}), policy)
    assert list(db.session.scalars(sa.select(User.email))) == ["old@nhs.net"]
