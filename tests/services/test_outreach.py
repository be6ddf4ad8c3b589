"""The workforce baseline (upload, sync, all or nothing) and the outreach monitor built on participation batches."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import WorkforceBaseline
from app.services.common.csvfile import RowErrors
from app.services.common.errors import InvalidInput, NotFound
from app.services.content import ideas, voting
from app.services.conversations.participation_batch import refresh_snapshot
from app.services.outreach import baseline
from app.services.outreach.monitor import OTHER, methods_for, outreach_csv, outreach_figures


def _rows() -> dict[str, int]:
    return {row.staff_group: row.headcount for row in baseline.baseline_rows(frozenset(
        db.session.scalars(sa.select(WorkforceBaseline.organisation_id)).all()))}


def test_upload_replaces_the_baseline_of_each_organisation_in_the_file(org) -> None:
    baseline.upload_baseline(frozenset({org.id}), f"organisation code,staff group,headcount\n{org.code},Nursing,120\n"
                                                  f"{org.code},medical,40\n")
    assert _rows() == {"Nursing": 120, "Medical": 40}
    baseline.upload_baseline(frozenset({org.id}), f"org code,group,head count\n{org.code},Nursing,100\n")
    assert _rows() == {"Nursing": 100}  # replaced whole: Medical, left out, has no staff


def test_a_bad_row_writes_nothing_and_every_problem_is_listed(org) -> None:
    baseline.upload_baseline(frozenset({org.id}), f"organisation code,staff group,headcount\n{org.code},Nursing,120\n")
    bad = (f"organisation code,staff group,headcount\n{org.code},Nursing,90\n{org.code},Porters,10\nXX9,Nursing,5\n"
           f"{org.code},Medical,-3\n{org.code},Medical,lots\n{org.code},Nursing,7\n{org.code},=HYPERLINK(1),4\n")
    with pytest.raises(RowErrors) as caught:
        baseline.upload_baseline(frozenset({org.id}), bad)
    rows = dict(caught.value.errors)
    assert set(rows) == {3, 4, 5, 6, 7, 8}
    assert "not a staff group" in rows[3] and "not an organisation you manage" in rows[4]
    assert "formula" in rows[5] and "whole number" in rows[6] and "also on row 2" in rows[7] and "formula" in rows[8]
    db.session.rollback()
    assert _rows() == {"Nursing": 120}  # unchanged


@pytest.mark.parametrize("data, message", [
    (b"", "empty"), (b"name,count\nx,1\n", "organisation code"), ("organisation code,staff group,headcount\n",
                                                                  "no data rows"), (b"\xff\xfe\x00", "UTF-8")])
def test_a_bad_file_is_refused_with_a_clear_message(org, data, message) -> None:
    with pytest.raises(InvalidInput, match=message):
        baseline.upload_baseline(frozenset({org.id}), data)


def test_upload_refuses_organisations_outside_the_admins_scope(org, make_org) -> None:
    other = make_org("Elsewhere Trust")
    with pytest.raises(RowErrors):
        baseline.upload_baseline(frozenset({org.id}), f"organisation code,staff group,headcount\n{other.code},Nursing,5\n")
    with pytest.raises(NotFound):
        baseline.sync_from_people(frozenset({org.id}), other.id)


def test_sync_counts_active_people_per_staff_group(org, make_user) -> None:
    for _ in range(3):
        make_user(staff_group="Nursing")
    make_user(staff_group="Medical")
    gone = make_user(staff_group="Medical")
    gone.active = False
    make_user(staff_group=None)
    db.session.commit()
    assert baseline.sync_from_people(frozenset({org.id}), org.id) == 4
    assert _rows() == {"Nursing": 3, "Medical": 1}


@pytest.fixture
def crowd(app, org, make_user, make_conversation, as_participant):
    """14 nurses of 100, 12 estates staff of 60, 11 doctors of 20 and 3 porters of 12 take part."""
    app.config["CHORUS_MIN_GROUP_SIZE"] = 10
    from app.services.accounts import organisations
    organisations.add_staff_group(org, "Porters")
    organisations.add_staff_group(org, "Estates")
    conversation = make_conversation()
    idea, _ = ideas.post_idea(as_participant(make_user(staff_group="Nursing")), conversation.questions[0].id,
                              "Rest areas for night staff on every ward")
    for group, n in (("Nursing", 13), ("Estates", 12), ("Medical", 11), ("Porters", 3)):
        for _ in range(n):
            voting.cast_vote(as_participant(make_user(staff_group=group)), idea.id, "support")
    baseline.upload_baseline(frozenset({org.id}), f"organisation code,staff group,headcount\n{org.code},Nursing,100\n"
                                                  f"{org.code},Medical,20\n{org.code},Porters,12\n{org.code},Estates,60\n")
    return conversation


def test_the_monitor_divides_the_batch_by_the_baseline(crowd) -> None:
    assert not outreach_figures(crowd).available  # no batch yet: nothing live
    refresh_snapshot(crowd.id)
    figures = outreach_figures(crowd)
    assert figures.available
    groups = {r.label: r for r in figures.by_staff_group.rows}
    assert (groups["Nursing"].participants, groups["Nursing"].headcount, groups["Nursing"].share) == (15, 100, 15)
    assert (groups["Estates"].participants, groups["Estates"].headcount, groups["Estates"].share) == (10, 60, 17)
    # Porters (3 people) go into Other, and so do the doctors (the smallest named group) so Other reaches k:
    # Other is 14 people (15 rounded) of 20 + 12 staff.
    assert "Porters" not in groups and "Medical" not in groups
    assert (groups[OTHER].participants, groups[OTHER].headcount, groups[OTHER].share) == (15, 32, 47)
    # Other is never "least heard"; the organisation (40 of 192 staff, 21%) is a candidate too.
    assert [r.label for r in figures.least_heard] == ["Nursing", "Estates", "Riverside Test Trust"]
    assert figures.by_staff_group.in_other == ["Medical", "Porters"]
    export = outreach_csv(figures)
    assert "Porters" not in export and "Medical" not in export and "Staff group,Nursing,15,100,15" in export


def test_k_applies_to_the_baseline_too(crowd) -> None:
    refresh_snapshot(crowd.id)
    org = crowd.organisation

    def upload(medical: int, porters: int, estates: int):  # type: ignore[no-untyped-def]
        baseline.upload_baseline(frozenset({org.id}), (
            f"organisation code,staff group,headcount\n{org.code},Nursing,100\n{org.code},Medical,{medical}\n"
            f"{org.code},Porters,{porters}\n{org.code},Estates,{estates}\n"))
        figures = outreach_figures(crowd)
        return {r.label: r for r in figures.by_staff_group.rows}, figures

    groups, figures = upload(9, 4, 60)
    assert groups[OTHER].headcount == 13  # 9 + 4: shown, as together they reach k
    assert figures.by_staff_group.in_other == []  # 9 doctors and 4 porters: never named
    groups, figures = upload(9, 4, 8)
    assert groups["Estates"].headcount is None and groups["Estates"].share is None  # 8 staff: below k
    assert "Estates" not in [r.label for r in figures.least_heard]
    assert groups[OTHER].headcount is None  # it would mix in the estates staff
    # Other would hold 5 + 4 staff: the smallest shown headcount (Estates, 60) is hidden too, so that no total
    # shown elsewhere (the organisation's 169) gives the 9 away as a difference.
    groups, _ = upload(5, 4, 60)
    assert groups["Estates"].headcount is None and groups[OTHER].headcount is None
    assert groups["Nursing"].headcount == 100


def test_the_monitor_changes_only_when_a_batch_runs(crowd, make_user, as_participant) -> None:
    refresh_snapshot(crowd.id)
    before = outreach_csv(outreach_figures(crowd))
    idea_id = db.session.scalars(sa.select(sa.text("id")).select_from(sa.table("idea"))).first()
    for _ in range(10):
        voting.cast_vote(as_participant(make_user(staff_group="Porters")), idea_id, "support")
    assert outreach_csv(outreach_figures(crowd)) == before


def test_an_organisation_without_baseline_hides_staff_group_shares(crowd, make_org) -> None:
    partner = make_org("Partner Trust")
    crowd.audience.append(partner)
    db.session.commit()
    refresh_snapshot(crowd.id)
    figures = outreach_figures(crowd)
    assert figures.without_baseline == ["Partner Trust"]
    assert all(r.share is None for r in figures.by_staff_group.rows)


def test_suggestions_follow_the_kind_of_work() -> None:
    assert methods_for("Estates and Facilities")[0] == "paper"
    assert methods_for("Nursing and Midwifery")[0] == "huddle"
    assert methods_for("Administrative and Clerical")[0] == "teams"
    assert set(methods_for("Something else")) == {"paper", "huddle", "teams"}
