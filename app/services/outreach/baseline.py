"""The workforce baseline: headcounts per organisation and staff group, uploaded as CSV or counted from the people table.

An upload is checked whole before anything is written: every row's problems are listed with its row number, and
either every organisation in the file gets its new baseline or nothing changes. Cells a spreadsheet would run as
a formula are refused, not stored (a baseline is exported again in the monitor's CSV).
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from app.extensions import db
from app.models import Membership, Organisation, StaffGroup, User, WorkforceBaseline
from app.models.base import utcnow
from app.services.common.csvfile import RowErrors, decode, read_rows
from app.services.common.errors import NotFound
from app.services.common.transaction import transaction

COLUMNS = {
    "organisation": ("organisation code", "organisation", "org code"),
    "staff_group": ("staff group", "group"),
    "headcount": ("headcount", "head count", "staff in post"),
}
MAX_HEADCOUNT = 1_000_000
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class BaselineRow:
    """One staff group's headcount, as shown to admins."""

    organisation: str
    staff_group: str
    headcount: int
    source: str


def is_formula(cell: str) -> bool:
    """True for text a spreadsheet would treat as a formula (CSV injection)."""
    return cell.startswith(FORMULA_START)


def baseline_rows(organisation_ids: frozenset[int]) -> list[BaselineRow]:
    """The stored baseline of these organisations, by organisation then staff group name."""
    rows = db.session.execute(
        sa.select(Organisation.name, StaffGroup.name, WorkforceBaseline.headcount, WorkforceBaseline.source)
        .join(StaffGroup, StaffGroup.id == WorkforceBaseline.staff_group_id)
        .join(Organisation, Organisation.id == WorkforceBaseline.organisation_id)
        .where(WorkforceBaseline.organisation_id.in_(organisation_ids))
        .order_by(Organisation.name, StaffGroup.name)).all()
    return [BaselineRow(*row) for row in rows]


def _headcount(text: str) -> int | None:
    if not text.isascii() or not text.isdigit():
        return None
    value = int(text)
    return value if value <= MAX_HEADCOUNT else None


def _replace(organisation_id: int, counts: dict[int, int], source: str) -> None:
    db.session.execute(sa.delete(WorkforceBaseline).where(WorkforceBaseline.organisation_id == organisation_id))
    today = utcnow().date()
    db.session.add_all(WorkforceBaseline(staff_group_id=group_id, organisation_id=organisation_id, headcount=count,
                                         source=source, updated_on=today) for group_id, count in counts.items())


@transaction
def upload_baseline(scope: frozenset[int], data: bytes | str) -> dict[str, int]:
    """Replace the baseline of every organisation named in the file; {organisation name: staff groups}.

    Raises RowErrors (every problem, by row) or InvalidInput (the file itself), and then writes nothing.
    """
    rows = read_rows(decode(data), COLUMNS)
    organisations = {o.code.upper(): o for o in db.session.scalars(sa.select(Organisation).where(Organisation.id.in_(scope)))}
    groups = {(g.organisation_id, g.name.casefold()): g for g in db.session.scalars(
        sa.select(StaffGroup).where(StaffGroup.organisation_id.in_(scope)))}
    planned: dict[int, dict[int, int]] = {}
    seen: dict[tuple[int, int], int] = {}
    errors: list[tuple[int, str]] = []
    for number, row in rows:
        formulas = [name.replace("_", " ") for name, cell in row.items() if is_formula(cell)]
        if formulas:
            errors.append((number, f"The {' and '.join(formulas)} looks like a spreadsheet formula. "
                                   "Enter plain text and whole numbers only."))
            continue
        problems = []
        org = organisations.get(row["organisation"].upper())
        if org is None:
            problems.append(f"{row['organisation'] or 'The organisation code'!s} is not an organisation you manage"
                            if row["organisation"] else "Enter an organisation code")
        group = groups.get((org.id, row["staff_group"].casefold())) if org is not None else None
        if org is not None and group is None:
            problems.append(f"“{row['staff_group']}” is not a staff group of {org.name}; add it on the organisation's "
                            "page first" if row["staff_group"] else "Enter a staff group")
        headcount = _headcount(row["headcount"])
        if headcount is None:
            problems.append(f"The headcount must be a whole number from 0 to {MAX_HEADCOUNT:,}")
        if org is not None and group is not None:
            if (org.id, group.id) in seen:
                problems.append(f"{group.name} of {org.name} is also on row {seen[(org.id, group.id)]}")
            seen.setdefault((org.id, group.id), number)
        if problems:
            errors.append((number, "; ".join(problems)))
        elif org is not None and group is not None and headcount is not None:
            planned.setdefault(org.id, {})[group.id] = headcount
    if errors:
        raise RowErrors(errors)
    for organisation_id, counts in planned.items():
        _replace(organisation_id, counts, "upload")
    names = {o.id: o.name for o in organisations.values()}
    return {names[org_id]: len(counts) for org_id, counts in planned.items()}


@transaction
def sync_from_people(scope: frozenset[int], organisation_id: int) -> int:
    """Count the organisation's active accounts per staff group and make that its baseline; returns the people counted.

    Only accounts with a staff group are counted: a baseline says how many staff each group has.
    """
    if organisation_id not in scope or db.session.get(Organisation, organisation_id) is None:
        raise NotFound("We could not find that organisation.")
    group_ids = list(db.session.scalars(sa.select(StaffGroup.id).where(StaffGroup.organisation_id == organisation_id)))
    counted = dict(db.session.execute(
        sa.select(Membership.staff_group_id, sa.func.count())
        .join(User, User.id == Membership.user_id)
        .where(Membership.organisation_id == organisation_id, Membership.staff_group_id.is_not(None), User.active)
        .group_by(Membership.staff_group_id)).all())
    _replace(organisation_id, {group_id: counted.get(group_id, 0) for group_id in group_ids}, "people")
    return sum(counted.values())


@transaction
def clear_baseline(scope: frozenset[int], organisation_id: int) -> None:
    """Remove an organisation's baseline (the monitor then shows counts without shares)."""
    if organisation_id not in scope:
        raise NotFound("We could not find that organisation.")
    db.session.execute(sa.delete(WorkforceBaseline).where(WorkforceBaseline.organisation_id == organisation_id))


def headcounts(organisation_ids: list[int]) -> tuple[dict[str, int], dict[str, int]]:
    """The baseline summed for an audience: (by organisation name, by staff group name across organisations).

    An organisation with no baseline is left out of both, so it never makes a share look smaller than it is; in an
    organisation that has one, a staff group left out of the upload has no staff.
    """
    rows = db.session.execute(
        sa.select(Organisation.name, StaffGroup.name, WorkforceBaseline.headcount)
        .join(StaffGroup, StaffGroup.id == WorkforceBaseline.staff_group_id)
        .join(Organisation, Organisation.id == WorkforceBaseline.organisation_id)
        .where(WorkforceBaseline.organisation_id.in_(organisation_ids))).all()
    by_org: dict[str, int] = {}
    by_group: dict[str, int] = {}
    for org_name, group_name, count in rows:
        by_org[org_name] = by_org.get(org_name, 0) + count
        by_group[group_name] = by_group.get(group_name, 0) + count
    return by_org, by_group
