"""Attacks on participation figures (rules A1 and A4): nothing group-linked is written with content, and
the figures facilitators see change only when a scheduled batch runs, never naming a group below k."""

from __future__ import annotations

import re

import pytest

from app.services.accounts import organisations
import sqlalchemy as sa

from app.extensions import db
from app.services.content import comments
from app.services.content import ideas
from app.services.content import voting
from app.services.accounts.users import create_api_token
from tests.anonymity.dumps import added_rows, changed_tables, dump, is_postgres, rows_by_xmin

# Tables a content write may touch: the content itself, the conversation's counters (live_seq, vote_version)
# and the live event that tells browsers "something changed" (neither names a person or a group).
CONTENT = {"idea", "comment", "vote", "pairwise_choice"}
CONTENT_COMPANIONS = {"conversation", "live_event"}
SMALL_ORG = "Riverside Estates Ltd"
# dump() reflects every table; SQLAlchemy warns that conversation <-> theme_run cannot be sorted (use_alter),
# which is harmless for reading rows.
pytestmark = pytest.mark.filterwarnings("ignore:Cannot correctly sort tables:sqlalchemy.exc.SAWarning")


@pytest.fixture
def crowd(app, make_org, make_user, make_conversation, as_participant, org):
    """A conversation for three organisations: two large ones and one of 3 people; a staff group of 3."""
    app.config["CHORUS_MIN_GROUP_SIZE"] = 10
    big = make_org("Northgate Hospitals Trust", groups=("Medical", "Nursing", "Porters"))
    small = make_org(SMALL_ORG, groups=("Nursing",))
    # One partnership: a conversation may ask only its owner's partners (the audience rule).
    partnership = organisations.create_partnership("Riverside Partnership")
    for member in (org, big, small):
        organisations.update_organisation(member, member.name, member.code, partnership.id)
    conversation = make_conversation(audience=[org, big, small])
    people = ([as_participant(make_user(staff_group="Nursing")) for _ in range(12)]
              + [as_participant(make_user(organisation=big, staff_group="Medical")) for _ in range(9)]
              + [as_participant(make_user(organisation=big, staff_group="Porters")) for _ in range(3)]
              + [as_participant(make_user(organisation=small, staff_group="Nursing")) for _ in range(3)])
    return conversation, people


def _act(conversation, people):  # type: ignore[no-untyped-def]
    """Everyone posts or votes; the small organisation's three people post, comment and vote."""
    question = conversation.questions[0].id
    first, _ = ideas.post_idea(people[0], question, "Rest areas on every ward for night staff")
    for n, person in enumerate(people[1:], start=1):
        if n % 3 == 0:
            ideas.post_idea(person, question, f"Idea {n}: better rota planning for our team")
        elif n % 3 == 1:
            comments.add_comment(person, first.id, f"Comment {n}: yes, and lockers too")
        voting.cast_vote(person, first.id, "support")
    return first


def test_no_group_or_person_row_shares_a_transaction_with_content(app, crowd):
    """(a) PostgreSQL: line rows up by xmin (and again after VACUUM FULL and CLUSTER): content travels alone."""
    if not is_postgres():
        pytest.skip("xmin and physical order exist only on PostgreSQL; this attack runs in the PostgreSQL pass")
    conversation, people = crowd
    before = dump()
    _act(conversation, people)

    def check(snapshot) -> None:  # type: ignore[no-untyped-def]
        for xmin, rows in rows_by_xmin(snapshot).items():
            tables = {table for table, _ in rows}
            if tables & CONTENT:
                assert tables <= CONTENT | CONTENT_COMPANIONS, f"transaction {xmin} wrote content with {tables}"
        # Nothing but content and its counters gained rows, so dump order cannot line groups up with posts.
        for table in set(snapshot) - CONTENT - CONTENT_COMPANIONS:
            assert not added_rows(before, snapshot, table), f"{table} gained rows from posting and voting"

    check(dump())
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(sa.text("VACUUM FULL"))
        connection.execute(sa.text("CLUSTER idea USING pk_idea"))
        connection.execute(sa.text("CLUSTER vote USING pk_vote"))
    check(dump())


def test_the_batch_writes_aggregates_only_and_never_with_content(app, crowd):
    """(a) The batch job's own transaction holds no content row and no per-person or per-group-member row."""
    from app.services.conversations.participation_batch import refresh_snapshot

    conversation, people = crowd
    _act(conversation, people)
    before = dump()
    refresh_snapshot(conversation.id)
    after = dump()
    changed = changed_tables(before, after)
    assert set(changed) == {"participation_snapshot"}
    [row] = added_rows(before, after, "participation_snapshot")
    assert set(row) - {"xmin", "ctid"} == {"conversation_id", "computed_hour", "min_group_size", "ideas", "comments",
                                           "votes", "participants", "by_organisation", "by_staff_group"}
    assert row["computed_hour"].minute == row["computed_hour"].second == row["computed_hour"].microsecond == 0
    stored = repr(row)
    for person in people:  # no user key, and no pseudonym of anyone, in the aggregates
        assert person.user_key not in stored
    assert not any(vote["voter"] in stored for vote in after["vote"])
    if is_postgres():
        for rows in rows_by_xmin(after).values():
            tables = {table for table, _ in rows}
            assert not (tables & CONTENT and "participation_snapshot" in tables)


@pytest.mark.parametrize("action", ["idea", "comment", "vote"])
def test_a_single_post_or_vote_changes_only_content_tables(app, crowd, action):
    """(b) Both engines: the dump diff around one person's first post, comment or vote holds content only."""
    conversation, people = crowd
    first, _ = ideas.post_idea(people[0], conversation.questions[0].id, "Lockers for staff who cycle to work")
    small_person = people[-1]  # from the 3-person organisation, acting for the first time
    before = dump()
    if action == "idea":
        ideas.post_idea(small_person, conversation.questions[0].id, "A second water fountain on level two")
    elif action == "comment":
        comments.add_comment(small_person, first.id, "Yes, and a drying room")
    else:
        voting.cast_vote(small_person, first.id, "support")
    changed = changed_tables(before, dump())
    assert set(changed) <= CONTENT | CONTENT_COMPANIONS, changed
    assert set(changed) & CONTENT


def _participation_section(html: str) -> str:
    start = html.index(">Participation</h2>")
    return html[start:html.index("</main>", start)]


def test_figures_change_only_when_the_batch_runs(app, client, login, make_user, crowd):
    """(c) Polling the page and the API after each post and vote: nothing moves until the batch."""
    conversation, people = crowd
    facilitator = make_user("facilitator")
    token = create_api_token(facilitator)
    login(facilitator)

    def poll() -> tuple[str, dict]:
        page = client.get(f"/facilitate/conversations/{conversation.id}")
        api = client.get(f"/api/v1/conversations/{conversation.id}/participation",
                         headers={"Authorization": f"Bearer {token}"})
        assert page.status_code == 200 and api.status_code == 200
        return _participation_section(page.get_data(as_text=True)), api.json

    question = conversation.questions[0].id
    first, _ = ideas.post_idea(people[0], question, "Free tea and coffee in the staff room")
    seen = poll()
    for n, person in enumerate(people[1:], start=1):
        if n % 2:
            voting.cast_vote(person, first.id, "support")
        else:
            ideas.post_idea(person, question, f"Idea {n}: a quiet room for breaks")
        assert poll() == seen, f"figures moved after action {n}"

    from app.services.conversations.participation_batch import refresh_due

    assert refresh_due() == [conversation.id]  # the scheduler's hourly batch, run through the job queue
    page, body = poll()
    assert (page, body) != seen
    assert body["participants"] == 25 and body["ideas"] == 14 and body["votes"] == 13
    assert "Updated hourly" in page and body["updated_at"].endswith(":00:00Z")


def test_a_group_below_k_is_never_named_and_other_absorbs_it(app, client, login, make_user, crowd):
    """(d) The 3-person organisation and the 3-person staff group appear nowhere by name; Other holds them."""
    conversation, people = crowd
    facilitator = make_user("facilitator")
    token = create_api_token(facilitator)
    login(facilitator)
    _act(conversation, people)

    def shown() -> tuple[str, dict]:
        page = _participation_section(client.get(f"/facilitate/conversations/{conversation.id}").get_data(as_text=True))
        body = client.get(f"/api/v1/conversations/{conversation.id}/participation",
                          headers={"Authorization": f"Bearer {token}"}).json
        return page, body

    def never_named(page: str, body: dict) -> None:
        text = page + repr(body)
        assert SMALL_ORG not in text and "Porters" not in text and "Medical" not in text

    never_named(*shown())  # before any batch, too
    from app.services.conversations.participation_batch import refresh_snapshot

    refresh_snapshot(conversation.id)
    never_named(*shown())
    page, body = shown()
    orgs = {c["group"]: c["participants"] for c in body["by_organisation"]}
    groups = {c["group"]: c["participants"] for c in body["by_staff_group"]}
    # 12 + 12 + 3 people: the 3 alone would be total minus the rest, so the next smallest (12) joins Other.
    assert orgs == {"Riverside Test Trust": 10, "Other": 15}
    # Nursing: 12 + 3 from the small organisation; Medical (9) and Porters (3) are both under k.
    assert groups == {"Nursing": 15, "Other": 10}
    assert all(c["group"] != SMALL_ORG for c in body["by_organisation"])
    assert re.search(r"Other</td>\s*<td[^>]*>15<", page)

