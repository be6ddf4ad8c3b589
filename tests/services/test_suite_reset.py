"""Each test app starts from empty tables with ids from 1, on SQLite and on PostgreSQL (tests/suite_speed.py).

On PostgreSQL the rows a test wrote are deleted (not truncated) afterwards; this proves that leaves nothing behind,
including sequences advanced by an insert that was rolled back.
"""

from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db
from app.models import Conversation, Organisation, User
from app.services.accounts import organisations, users
from tests.conftest import PASSWORD, running_app


def _count(model: type) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model)) or 0


def test_each_app_starts_empty_with_ids_from_one_whatever_the_last_one_left(database_url: str) -> None:
    for _ in range(2):
        with running_app(database_url) as app:
            assert app.testing
            assert (_count(Organisation), _count(User), _count(Conversation)) == (0, 0, 0)
            org = organisations.create_organisation("Riverside Test Trust", "T001")
            assert org.id == 1
            user = users.create_user("nurse@trust.nhs.uk", organisation=org, role="participant",
                                     staff_group=None, password=PASSWORD, display_name="Nurse")
            assert user.id == 1
            # An insert that is rolled back still advances PostgreSQL's sequence: the next app must not see it.
            db.session.add(Organisation(name="Rolled back", code="T002"))
            db.session.flush()
            db.session.rollback()
