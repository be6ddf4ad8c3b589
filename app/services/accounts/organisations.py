"""Partnerships, organisations and staff groups."""

from __future__ import annotations

import re

import sqlalchemy as sa

from app.extensions import db
from app.models import Membership, Organisation, Partnership, Role, StaffGroup, User
from app.services.common.errors import Conflict, InvalidInput, NotFound

_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{1,19}$")


def all_organisations() -> list[Organisation]:
    return list(db.session.scalars(sa.select(Organisation).order_by(Organisation.name)))


def all_partnerships() -> list[Partnership]:
    return list(db.session.scalars(sa.select(Partnership).order_by(Partnership.name)))


def create_partnership(name: str) -> Partnership:
    """Create a partnership of organisations."""
    name = (name or "").strip()
    if not 2 <= len(name) <= 120:
        raise InvalidInput("Enter a partnership name of 2 to 120 characters", field="name")
    if db.session.scalar(sa.select(Partnership.id).where(sa.func.lower(Partnership.name) == name.lower())):
        raise Conflict("A partnership with that name already exists", field="name")
    partnership = Partnership(name=name)
    db.session.add(partnership)
    db.session.commit()
    return partnership


def _checked_organisation(name: str, code: str, partnership_id: int | None, *, exclude_id: int | None = None) -> tuple[str, str]:
    name, code = (name or "").strip(), (code or "").strip().upper()
    if not 2 <= len(name) <= 160:
        raise InvalidInput("Enter an organisation name of 2 to 160 characters", field="name")
    if not _CODE.match(code):
        raise InvalidInput("Enter a short code of 2 to 20 letters, numbers or hyphens, like RX1", field="code")
    if partnership_id is not None and db.session.get(Partnership, partnership_id) is None:
        raise InvalidInput("Choose a partnership from the list", field="partnership_id")
    others = sa.select(Organisation).where(Organisation.id != (exclude_id or 0))
    if db.session.scalar(others.where(sa.func.lower(Organisation.name) == name.lower())):
        raise Conflict("An organisation with that name already exists", field="name")
    if db.session.scalar(others.where(Organisation.code == code)):
        raise Conflict("An organisation with that code already exists", field="code")
    return name, code


def create_organisation(name: str, code: str, partnership_id: int | None = None, *, admin: User | None = None) -> Organisation:
    """Create an organisation, optionally in a partnership; `admin` is made its admin in the same transaction."""
    name, code = _checked_organisation(name, code, partnership_id)
    organisation = Organisation(name=name, code=code, partnership_id=partnership_id)
    db.session.add(organisation)
    if admin is not None:
        admin.memberships.append(Membership(organisation=organisation, role=Role.ADMIN.value))
    db.session.commit()
    return organisation


def update_organisation(organisation: Organisation, name: str, code: str, partnership_id: int | None) -> Organisation:
    """Rename an organisation, change its code, or move it into (or out of) a partnership."""
    organisation.name, organisation.code = _checked_organisation(name, code, partnership_id, exclude_id=organisation.id)
    organisation.partnership_id = partnership_id
    db.session.commit()
    return organisation


def managed_organisations(organisation_ids: frozenset[int]) -> list[Organisation]:
    """The organisations an admin manages, by name."""
    return list(db.session.scalars(
        sa.select(Organisation).where(Organisation.id.in_(organisation_ids)).order_by(Organisation.name)))


def get_managed_organisation(organisation_ids: frozenset[int], organisation_id: int) -> Organisation:
    """An organisation this admin manages, or NotFound."""
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None or organisation.id not in organisation_ids:
        raise NotFound("We could not find that organisation.")
    return organisation


def _checked_group_name(organisation: Organisation, name: str, exclude_id: int | None = None) -> str:
    name = (name or "").strip()
    if not 2 <= len(name) <= 80:
        raise InvalidInput("Enter a staff group name of 2 to 80 characters", field="name")
    if any(g.name.lower() == name.lower() and g.id != exclude_id for g in organisation.staff_groups):
        raise Conflict(f"{organisation.name} already has a staff group called {name}", field="name")
    return name


def add_staff_group(organisation: Organisation, name: str) -> StaffGroup:
    """Add a staff group to an organisation's roster."""
    name = _checked_group_name(organisation, name)
    group = StaffGroup(name=name)
    organisation.staff_groups.append(group)
    db.session.commit()
    return group


def get_staff_group(organisation: Organisation, group_id: int) -> StaffGroup:
    group = db.session.get(StaffGroup, group_id)
    if group is None or group.organisation_id != organisation.id:
        raise NotFound("We could not find that staff group.")
    return group


def rename_staff_group(group: StaffGroup, name: str) -> StaffGroup:
    group.name = _checked_group_name(group.organisation, name, exclude_id=group.id)
    db.session.commit()
    return group


def remove_staff_group(group: StaffGroup) -> None:
    """Remove a staff group; its members keep their accounts with no staff group recorded."""
    db.session.delete(group)
    db.session.commit()


def partnership_members() -> list[tuple[Partnership, list[Organisation]]]:
    """Every partnership with its organisations (names only: partnerships are shared between admins)."""
    return [(p, sorted(p.organisations, key=lambda o: o.name)) for p in all_partnerships()]
