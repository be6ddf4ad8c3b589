"""Frameworks: the built-in People Promise, a trust's own frameworks, and the all-or-nothing CSV upload."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Framework, FrameworkElement
from app.services.common.csvfile import RowErrors
from app.services.common.errors import Conflict, InvalidInput, NotFound
from app.services.frameworks import catalogue, upload

GOOD = ("name,description,examples\n"
        "Safe staffing,Enough staff on every shift,More nurses on nights | Fill rota gaps\n"
        "Flexible working,Rotas that fit lives,Self rostering | Part-time posts\n")


def count_frameworks() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Framework)) or 0


def test_people_promise_is_created_once_from_the_shipped_file(app, org):
    first = catalogue.default_framework()
    again = catalogue.default_framework()
    assert first.id == again.id and first.is_builtin and first.organisation_id is None
    names = [e.name for e in first.elements]
    assert names[0] == "We are compassionate and inclusive"
    assert "We are recognised and rewarded" in names and len(names) >= 7
    assert all(e.examples for e in first.elements)
    assert [f.id for f in catalogue.available_frameworks(frozenset({org.id}))] == [first.id]


def test_an_installation_created_from_an_older_file_gets_the_shipped_wording(tmp_path):
    """The built-in People Promise is read-only: after an upgrade its rows follow the shipped file, ids kept.

    The upgrade is a new app on the same database, in a process whose earlier app had already checked its own rows.
    """
    from nlp.frameworks import read_default_framework
    from tests.conftest import running_app

    url = f"sqlite:///{tmp_path / 'chorus.db'}"
    with running_app(url):
        catalogue.default_framework()
        framework = catalogue.default_framework()  # this app has now compared its rows with the file
        ids = [e.id for e in framework.elements]
        for element in framework.elements:  # as an earlier release stored it
            element.description, element.examples = "Older wording", ["an older example"]
        db.session.commit()
    with running_app(url):  # the upgraded release starts
        refreshed = catalogue.default_framework()
        shipped = read_default_framework()
        assert [e.id for e in refreshed.elements] == ids  # mappings and corrections keep pointing at the same elements
        assert [e.description for e in refreshed.elements] == [e.description for e in shipped]
        assert [list(e.examples) for e in refreshed.elements] == [list(e.examples) for e in shipped]


def test_upload_creates_the_framework_with_its_elements_in_order(app, org):
    framework = upload.import_framework(org.id, "Our values", "Trust values", GOOD.encode())
    assert [e.name for e in framework.elements] == ["Safe staffing", "Flexible working"]
    assert framework.elements[0].examples == ["More nurses on nights", "Fill rota gaps"]
    assert framework.organisation_id == org.id
    assert catalogue.get_own_framework(frozenset({org.id}), framework.id) is framework
    with pytest.raises(NotFound):
        catalogue.get_own_framework(frozenset({org.id + 1}), framework.id)
    with pytest.raises(Conflict):
        upload.import_framework(org.id, "Our values", "", GOOD.encode())


@pytest.mark.parametrize("data, message", [
    (b"name,examples\nSafe staffing,x\n", "'description'"),
    (b"title,description,examples\nA,b,c\n", "'name'"),
    (b"name,description,examples\nSafe staffing,a,b\nsafe  STAFFING,c,d\n", "already used in row 2"),
    (b"name,description,examples\n=HYPERLINK(\"http://x\"),a,b\n", "formula"),
    (b"name,description,examples\nSafe,+1 more staff,b\n", "formula"),
    (b"name,description,examples\nSafe,a,-2\n", "formula"),
    (b"name,description,examples\nSafe,@SUM(A1),b\n", "formula"),
    (b"name,description,examples\n\tSafe,a,b\n", "formula"),
    (b"name,description,examples\n\"\rSafe\",a,b\n", "formula"),
    (b"name,description,examples\n,a description,b\n", "name is empty"),
    (("name,description,examples\nSafe," + "x" * 1001 + ",b\n").encode(), "longer than 1,000"),
    (("name,description,examples\n" + "y" * 121 + ",a,b\n").encode(), "longer than 120"),
    ("name,description,examples\nSécurité,a,b\n".encode("latin-1"), "UTF-8"),
    (b"", "empty"),
    (b"name,description,examples\n", "no elements"),
])
def test_a_bad_file_gets_a_clear_message_and_writes_nothing(app, org, data, message):
    catalogue.default_framework()
    db.session.commit()
    before = count_frameworks()
    with pytest.raises(InvalidInput) as raised:
        upload.import_framework(org.id, "Bad file", "", data)
    error = raised.value
    text = error.message + " ".join(m for _, m in getattr(error, "errors", []))
    assert message in text
    assert count_frameworks() == before


def test_a_10000_row_file_is_refused_without_reading_it_all(app, org, monkeypatch):
    rows = "".join(f"Element {n},Description {n},Example {n}\n" for n in range(10_000))
    seen = []
    original = upload._row_problem
    monkeypatch.setattr(upload, "_row_problem", lambda *a: seen.append(1) or original(*a))
    with pytest.raises(InvalidInput, match="at most 50 elements"):
        upload.import_framework(org.id, "Huge", "", ("name,description,examples\n" + rows).encode())
    assert len(seen) == catalogue.MAX_ELEMENTS
    assert db.session.scalar(sa.select(sa.func.count()).select_from(FrameworkElement)) == 0


def test_row_errors_list_every_bad_row(app, org):
    data = b"name,description,examples\nGood,a,b\n=bad,a,b\n,a,b\n"
    with pytest.raises(RowErrors) as raised:
        upload.read_framework_csv(data)
    assert [n for n, _ in raised.value.errors] == [3, 4]


def test_elements_are_edited_and_the_built_in_one_is_read_only(app, org):
    default = catalogue.default_framework()
    with pytest.raises(NotFound):
        catalogue.get_own_framework(frozenset({org.id}), default.id)
    framework = catalogue.create_framework(org.id, "Values", "", [catalogue.ElementInput("Kind")])
    element = catalogue.add_element(framework, catalogue.ElementInput("Fair", "Fair pay", ["Pay overtime on time"]))
    with pytest.raises(Conflict):
        catalogue.add_element(framework, catalogue.ElementInput(" kind "))
    catalogue.update_element(element, catalogue.ElementInput("Fair pay", "Pay", ["Overtime"]))
    assert [e.name for e in framework.elements] == ["Kind", "Fair pay"]
    catalogue.remove_element(framework.elements[0])
    assert [e.name for e in db.session.get_one(Framework, framework.id).elements] == ["Fair pay"]
    catalogue.delete_framework(framework)
    assert db.session.get(Framework, framework.id) is None
