"""Admins managing people: a searchable roster, roles per organisation, accounts and API tokens.

Everything here is scoped to the organisations where the acting admin holds the admin role. Nothing
here reads content or votes: an admin can never learn what a person wrote or how they voted.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import sqlalchemy as sa

from app.extensions import db
from app.models import ApiToken, Membership, Organisation, Role, User
from app.services.accounts import users
from app.services.common.errors import InvalidInput, NotAllowedNow, NotFound

PER_PAGE = 25
MAX_SEARCH = 100


@dataclass
class PeoplePage:
    people: list[User]
    page: int
    pages: int
    total: int
    query: str


def admin_scope(user: User) -> frozenset[int]:
    """The organisations where this person is an admin."""
    return frozenset(m.organisation_id for m in user.memberships if m.role == Role.ADMIN.value)


def list_people(scope: frozenset[int], query: str = "", page: int = 1, organisation_id: int | None = None) -> PeoplePage:
    """People with a membership in the admin's organisations, searched by email or name, by email."""
    query = (query or "").strip()[:MAX_SEARCH]
    orgs = scope if organisation_id is None else scope & {organisation_id}
    members = sa.select(Membership.user_id).where(Membership.organisation_id.in_(orgs))
    statement = sa.select(User).where(User.id.in_(members))
    if query:
        pattern = "%" + query.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        statement = statement.where(sa.or_(sa.func.lower(User.email).like(pattern, escape="\\"),
                                           sa.func.lower(User.display_name).like(pattern, escape="\\")))
    total = db.session.scalar(sa.select(sa.func.count()).select_from(statement.subquery())) or 0
    pages = max(1, math.ceil(total / PER_PAGE))
    page = min(max(1, page), pages)
    people = list(db.session.scalars(statement.order_by(User.email).limit(PER_PAGE).offset((page - 1) * PER_PAGE)))
    return PeoplePage(people, page, pages, total, query)


def get_person(scope: frozenset[int], user_id: int) -> User:
    """A person in one of the admin's organisations, or NotFound."""
    user = db.session.get(User, user_id)
    if user is None or not (user.organisation_ids & scope):
        raise NotFound("We could not find that person.")
    return user


def _organisation(scope: frozenset[int], organisation_id: int | None) -> Organisation:
    organisation = db.session.get(Organisation, organisation_id) if organisation_id else None
    if organisation is None or organisation.id not in scope:
        raise InvalidInput("Choose an organisation from the list", field="organisation_id")
    return organisation


def _staff_group_name(organisation: Organisation, staff_group_id: int | None) -> str | None:
    if not staff_group_id:
        return None
    for group in organisation.staff_groups:
        if group.id == staff_group_id:
            return group.name
    raise InvalidInput(f"Choose a staff group of {organisation.name}", field="staff_group_id")


def create_person(scope: frozenset[int], *, email: str, display_name: str, organisation_id: int | None,
                  role: str, staff_group_id: int | None, password: str) -> User:
    """Create an account with a role, organisation, staff group and a one-time initial password (rule A8)."""
    organisation = _organisation(scope, organisation_id)
    name = (display_name or "").strip()
    if not 1 <= len(name) <= 120:
        raise InvalidInput("Enter a name of up to 120 characters", field="display_name")
    return users.create_user(email, organisation=organisation, role=role, password=password or "",
                                staff_group=_staff_group_name(organisation, staff_group_id), display_name=name,
                                one_time=True)


def set_role(scope: frozenset[int], actor: User, person: User, organisation_id: int | None, role: str,
             staff_group_id: int | None) -> Membership:
    """Set a person's role and staff group in one of the admin's organisations (adds a membership if new)."""
    organisation = _organisation(scope, organisation_id)
    if person.id == actor.id and person.role_in(organisation.id) == Role.ADMIN and role != Role.ADMIN.value:
        raise NotAllowedNow("You cannot remove your own admin role. Ask another admin to do it.")
    return users.set_membership(person, organisation, role, _staff_group_name(organisation, staff_group_id))


def set_active(actor: User, person: User, active: bool) -> User:
    """Deactivate (cannot sign in, tokens stop working) or reactivate an account. Posts stay anonymous."""
    if person.id == actor.id and not active:
        raise NotAllowedNow("You cannot deactivate your own account.")
    person.active = active
    db.session.commit()
    return person


def issue_token(person: User, name: str, *, issued_by: User) -> str:
    """A new API token for the admin's own account, returned once.

    A token acts as its owner, including "my posts", so a token issued for someone else would be an
    impersonation feature that reveals what they wrote. Integration accounts get theirs from the CLI.
    """
    if issued_by.id != person.id:
        raise InvalidInput("You can only issue API tokens for your own account. For an integration account, "
                           "ask the operator to run: flask users token --email <address>", field="name")
    name = (name or "").strip()
    if not 1 <= len(name) <= 80:
        raise InvalidInput("Enter a name for the token of up to 80 characters, like Power BI export", field="name")
    return users.create_api_token(person, name)


def revoke_token(person: User, token_id: int) -> ApiToken:
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != person.id:
        raise NotFound("We could not find that token.")
    token.revoked = True
    db.session.commit()
    return token
