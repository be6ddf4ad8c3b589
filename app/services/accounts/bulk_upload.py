"""Uploading people in bulk from a CSV file: every row is checked first, and either all are added or none."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from app.extensions import db
from app.models import Membership, Organisation, Role, User
from app.services.accounts.users import normalise_email
from app.services.common.csvfile import RowErrors, decode, read_rows
from app.services.common.errors import InvalidInput
from app.services.accounts.passwords import LINK_DAYS, add_links

COLUMNS = {
    "email": ("email", "email address"),
    "display_name": ("display name", "name"),
    "organisation": ("organisation code", "organisation", "org code"),
    "staff_group": ("staff group", "group"),
    "role": ("role",),
}
ROLES = {r.value for r in Role}


@dataclass(frozen=True)
class Invitation:
    """A new account and the secret of its one-time set-password link (shown to the admin once)."""

    user: User
    link_secret: str
    days: int = LINK_DAYS


def upload_people(scope: frozenset[int], data: bytes | str) -> list[Invitation]:
    """Add everyone in the file, or raise RowErrors (row-numbered) and add no one.

    People added this way get no password, only a one-time link to choose their own (rule A8), or they sign
    in through single sign-on.
    """
    rows = read_rows(decode(data), COLUMNS)
    organisations = {o.code.upper(): o for o in db.session.scalars(sa.select(Organisation).where(Organisation.id.in_(scope)))}
    emails: dict[str, int] = {}
    errors: list[tuple[int, str]] = []
    planned: list[User] = []
    for number, row in rows:
        problems = []
        try:
            email = normalise_email(row["email"])
        except InvalidInput as error:
            email = ""
            problems.append(error.message)
        if email and email in emails:
            problems.append(f"{email} is also on row {emails[email]}")
        elif email:
            emails[email] = number
        name = row["display_name"]
        if not 1 <= len(name) <= 120:
            problems.append("Enter a display name of up to 120 characters")
        role = row["role"].lower() or Role.PARTICIPANT.value
        if role not in ROLES:
            problems.append(f"{row['role']!r} is not a role: use participant, facilitator, lead or admin")
        organisation = organisations.get(row["organisation"].upper())
        group = None
        if organisation is None:
            problems.append(f"{row['organisation'] or 'A blank code'!r} is not the code of an organisation you manage")
        elif row["staff_group"]:
            group = next((g for g in organisation.staff_groups if g.name.lower() == row["staff_group"].lower()), None)
            if group is None:
                problems.append(f"{organisation.name} has no staff group called {row['staff_group']!r}")
        if problems:
            errors.append((number, "; ".join(problems)))
            continue
        planned.append(User(email=email, display_name=name, memberships=[
            Membership(organisation=organisation, role=role, staff_group=group)]))
    existing = set(db.session.scalars(sa.select(User.email).where(User.email.in_(list(emails)))))
    errors += [(emails[e], f"An account with the email address {e} already exists") for e in sorted(existing)]
    if errors:
        db.session.rollback()
        raise RowErrors(sorted(errors))
    db.session.add_all(planned)
    secrets = add_links(planned)
    db.session.commit()
    return [Invitation(user, secret) for user, secret in zip(planned, secrets, strict=True)]
