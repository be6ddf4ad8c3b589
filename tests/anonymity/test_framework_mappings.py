"""Framework mappings and lead corrections: content-derived, written only by runs and leads, never in step with a post.

Attacks: (1) posting an idea writes a mapping row in the same request, dating it and tying it to the post's
writer; (2) a mapping or correction row carries a person, an organisation of a participant, or a time finer than
the hour; (3) a correction names the lead who made it. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import warnings
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import SAWarning

from app.extensions import db
from app.models import ElementCorrection, IdeaElement, ThemeSnapshot
from app.services.content import ideas
from app.services.frameworks import catalogue, corrections
from app.services.themes import runs
from tests.anonymity import dumps

TABLES = ("idea_element", "theme_element", "element_correction", "framework", "framework_element")
PERSON_COLUMNS = ("user", "author", "voter", "pseudonym", "email", "staff_group", "created", "updated", "at", "hour")


def _dump() -> dumps.Dump:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SAWarning)
        return dumps.dump()


def test_framework_tables_hold_no_person_and_no_time():
    for name in TABLES:
        table = db.metadata.tables[name]
        for column in table.columns:
            assert not any(word in column.name for word in PERSON_COLUMNS if word not in ("at",)), (name, column.name)
            assert not column.name.endswith("_at"), (name, column.name)
            assert not isinstance(column.type, (sa.DateTime, sa.Date)), (name, column.name)
            for key in column.foreign_keys:
                assert key.column.table.name not in ("user", "membership", "staff_group", "api_token"), (name, column.name)


def test_a_post_writes_no_mapping_and_a_correction_names_nobody(make_user, make_conversation, as_participant):
    conversation = make_conversation()
    people = [as_participant(make_user()) for _ in range(3)]
    for n, text in enumerate(["Free staff car parking for night shifts", "Hot food in the canteen after midnight",
                              "Managers who say thank you after a hard shift", "Flexible rotas that fit childcare"]):
        ideas.post_idea(people[n % 3], conversation.questions[0].id, text)
    runs.request_theme_run(conversation.id)
    lead = make_user("lead")
    before = _dump()
    idea, _ = ideas.post_idea(people[0], conversation.questions[0].id, "More car parking spaces for night staff")
    after = _dump()
    changed = dumps.changed_tables(before, after)
    assert not set(changed) & {"idea_element", "theme_element", "element_correction"}, changed
    assert db.session.get(IdeaElement, (idea.id, catalogue.default_framework().elements[0].id)) is None
    runs.request_theme_run(conversation.id)  # the new idea is mapped by a run, together with all the others
    # A lead's corrections: only what was decided, with no person and no time.
    leads = frozenset({conversation.organisation_id})
    element = catalogue.default_framework().elements[1]
    db.session.refresh(conversation)
    theme_id = db.session.scalar(sa.select(ThemeSnapshot.theme_id).where(
        ThemeSnapshot.run_id == conversation.current_theme_run_id).limit(1))
    before = _dump()
    corrections.correct_theme(leads, theme_id, element.id, added=False)
    corrections.correct_idea(leads, idea.id, element.id, added=True)
    after = _dump()
    added = [(table, row) for table in ("element_correction", "idea_element", "theme_element")
             for row in dumps.added_rows(before, after, table)]
    assert {table for table, _ in added} >= {"element_correction", "idea_element"}
    for table, row in added:
        values = {str(v) for v in row.values()}
        assert not any(isinstance(v, datetime) for v in row.values()), (table, row)
        assert not {lead.user_key, lead.email, lead.display_name} & values, (table, row)
        assert set(row) <= {"id", "conversation_id", "element_id", "theme_id", "idea_id", "added", "confidence",
                            "source", "xmin", "ctid"}, (table, row)  # PostgreSQL dumps add xmin and ctid
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ElementCorrection)) == 2
