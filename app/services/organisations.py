"""Partnerships, organisations and staff groups."""

from __future__ import annotations

import re

import sqlalchemy as sa

from app.extensions import db
from app.models import Organisation, Partnership, StaffGroup
from app.services.errors import Conflict, InvalidInput

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


def create_organisation(name: str, code: str, partnership_id: int | None = None) -> Organisation:
    """Create an organisation, optionally in a partnership."""
    name, code = (name or "").strip(), (code or "").strip().upper()
    if not 2 <= len(name) <= 160:
        raise InvalidInput("Enter an organisation name of 2 to 160 characters", field="name")
    if not _CODE.match(code):
        raise InvalidInput("Enter a short code of 2 to 20 letters, numbers or hyphens, like RX1", field="code")
    if partnership_id is not None and db.session.get(Partnership, partnership_id) is None:
        raise InvalidInput("Choose a partnership from the list", field="partnership_id")
    clash = db.session.scalar(
        sa.select(Organisation.id).where(
            sa.or_(sa.func.lower(Organisation.name) == name.lower(), Organisation.code == code)
        )
    )
    if clash:
        raise Conflict("An organisation with that name or code already exists", field="name")
    organisation = Organisation(name=name, code=code, partnership_id=partnership_id)
    db.session.add(organisation)
    db.session.commit()
    return organisation


def add_staff_group(organisation: Organisation, name: str) -> StaffGroup:
    """Add a staff group to an organisation's roster."""
    name = (name or "").strip()
    if not 2 <= len(name) <= 80:
        raise InvalidInput("Enter a staff group name of 2 to 80 characters", field="name")
    if any(g.name.lower() == name.lower() for g in organisation.staff_groups):
        raise Conflict(f"{organisation.name} already has a staff group called {name}", field="name")
    group = StaffGroup(name=name)
    organisation.staff_groups.append(group)
    db.session.commit()
    return group
