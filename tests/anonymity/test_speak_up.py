"""Attacks on the Freedom to Speak Up route (rules A1, A2, A3 and k): a dump diff around sending holds no person
link, an author's visits write nothing, Guardian pages and the API never show who wrote a post, and nobody else
sees anything of the route beyond a rounded count at or above k. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import json

import pytest

from app.crypto import voter_pseudonym
from app.extensions import db
from app.models import Membership, Organisation, SpeakUpThread, User
from app.services.accounts.users import create_api_token
from app.services.common.keys import conversation_key
from app.services.content import comments, ideas
from app.services.speakup import settings, threads
from tests.anonymity.dumps import added_rows, changed_tables, dump, is_postgres, rows_by_xmin, rewritten_rows
from tests.web.test_speakup_pages import sign_in

pytestmark = pytest.mark.filterwarnings("ignore:Cannot correctly sort tables:sqlalchemy.exc.SAWarning")

TEXT = "My manager shouts at me in front of patients and I dread every shift."
CONTENT = {"idea", "comment", "vote"}
COMPANIONS = {"conversation", "live_event"}
THREAD_COLUMNS = {"id", "conversation_id", "idea_id", "comment_id", "status", "guardian_unread", "replies"}


@pytest.fixture
def scene(app, org, make_user, make_conversation, as_participant):
    conversation = make_conversation()
    author = make_user(staff_group="Medical")
    keeper = make_user()
    settings.appoint_guardian(frozenset({org.id}), org.id, keeper.email)
    return conversation, author, as_participant(author), keeper


def _identifiers(user: User) -> list[str]:
    """Everything that names the author, as text an attacker could look for in a row."""
    membership = db.session.query(Membership).filter_by(user_id=user.id).one()
    group = membership.staff_group.name if membership.staff_group else ""
    return [user.email, user.user_key, user.display_name, group]


def _assert_no_person(rows: list[dict], user: User) -> None:
    text = repr(rows)
    for value in _identifiers(user):
        assert value and value not in text, value


def test_sending_while_posting_adds_one_row_that_points_only_at_the_post(scene) -> None:
    """A1: the dump diff around "post and send" holds the idea, its thread and the usual companions, nothing else."""
    conversation, author, person, _ = scene
    before = dump()
    idea, _ = ideas.post_idea(person, conversation.questions[0].id, TEXT, to_guardian=True)
    after = dump()
    assert set(changed_tables(before, after)) <= CONTENT | COMPANIONS | {"speak_up_thread"}
    [thread] = added_rows(before, after, "speak_up_thread")
    assert set(thread) - {"xmin", "ctid"} == THREAD_COLUMNS  # no user, organisation, staff group or time column
    assert thread["idea_id"] == idea.id and thread["conversation_id"] == conversation.id
    _assert_no_person([thread], author)
    # The thread's id is random, not derived from the author (it is not the author tag or a pseudonym).
    key = conversation_key(conversation)
    assert thread["id"] not in (idea.author_tag, voter_pseudonym(key, author.user_key))
    for table in set(after) - CONTENT - COMPANIONS - {"speak_up_thread"}:
        assert not added_rows(before, after, table), f"{table} gained rows"
    if is_postgres():
        for xmin, rows in rows_by_xmin(after).items():
            tables = {table for table, _ in rows}
            if "speak_up_thread" in tables:
                assert tables <= CONTENT | COMPANIONS | {"speak_up_thread"}, f"transaction {xmin} wrote {tables}"
        moved = rewritten_rows(before, after)
        assert set(moved) <= CONTENT | COMPANIONS | {"speak_up_thread"}, moved


@pytest.mark.parametrize("kind", ["idea", "comment"])
def test_sending_afterwards_writes_only_the_thread_and_its_message(scene, kind) -> None:
    """A1/A2: sending one's own post later touches the thread tables only, and names nobody."""
    conversation, author, person, _ = scene
    idea, _ = ideas.post_idea(person, conversation.questions[0].id, "Rest areas on every ward")
    comment, _ = comments.add_comment(person, idea.id, TEXT)
    before = dump()
    threads.send_to_guardian(person, kind, idea.id if kind == "idea" else comment.id, "It keeps happening.")
    after = dump()
    assert set(changed_tables(before, after)) == {"speak_up_thread", "speak_up_message"}
    rows = added_rows(before, after, "speak_up_thread") + added_rows(before, after, "speak_up_message")
    _assert_no_person(rows, author)
    [message] = added_rows(before, after, "speak_up_message")
    assert message["created_hour"].minute == message["created_hour"].second == 0
    if is_postgres():
        assert set(rewritten_rows(before, after)) <= {"speak_up_thread", "speak_up_message"}


def test_the_authors_visits_write_nothing(app, scene) -> None:
    """A2: reading replies on "My ideas and comments" and on the thread page leaves no trace in the database."""
    conversation, author, person, keeper = scene
    ideas.post_idea(person, conversation.questions[0].id, TEXT, to_guardian=True)
    thread = db.session.query(SpeakUpThread).one()
    from app.services.speakup import guardian
    guardian.reply(keeper.guardian_of, "G", thread.id, "Hello")
    client = app.test_client()
    sign_in(client, author)
    before = dump()
    assert "Hello" in client.get(f"/conversations/{conversation.id}/mine").get_data(as_text=True)
    assert "Hello" in client.get(f"/conversations/{conversation.id}/speak-up/{thread.id}").get_data(as_text=True)
    after = dump()
    assert changed_tables(before, after) == {}  # nothing at all
    if is_postgres():
        assert rewritten_rows(before, after) == {}


def test_guardian_pages_and_api_never_show_who_wrote_it(app, scene) -> None:
    """Even in a named-mode conversation, and with the author's own votes and other posts around."""
    conversation, author, person, keeper = scene
    conversation.named_mode = True
    db.session.commit()
    idea, _ = ideas.post_idea(person, conversation.questions[0].id, TEXT, to_guardian=True)
    comments.add_comment(person, idea.id, "And it happened again yesterday.", to_guardian=True)
    threads.send_to_guardian(person, "idea", idea.id, "Please help.")
    key = conversation_key(conversation)
    secrets = _identifiers(author) + [idea.author_tag, idea.nonce, voter_pseudonym(key, author.user_key)]
    assert idea.author_name  # named mode: the post itself carries a name, which the Guardian must still not see
    secrets.append(idea.author_name)
    client = app.test_client()
    sign_in(client, keeper)
    pages = [client.get("/guardian/").get_data(as_text=True)]
    for thread in db.session.query(SpeakUpThread).all():
        pages.append(client.get(f"/guardian/threads/{thread.id}").get_data(as_text=True))
    token = create_api_token(keeper)
    api = app.test_client()
    listing = api.get("/api/v1/guardian/threads", headers={"Authorization": f"Bearer {token}"})
    pages.append(json.dumps(listing.json))
    for thread in listing.json["threads"]:
        pages.append(api.get(f"/api/v1/guardian/threads/{thread['id']}",
                             headers={"Authorization": f"Bearer {token}"}).get_data(as_text=True))
    assert TEXT in pages[0]
    for page in pages:
        for secret in secrets:
            assert secret not in page, secret


def test_nobody_else_sees_the_route_and_admins_see_no_count_below_k(app, scene, make_user, as_participant) -> None:
    """Facilitators, leads and admins: no marker on the post, no queue, no count until k posts have been sent."""
    app.config["CHORUS_MIN_GROUP_SIZE"] = 10
    conversation, author, person, _ = scene
    idea, _ = ideas.post_idea(person, conversation.questions[0].id, TEXT, to_guardian=True)
    org = db.session.get(Organisation, conversation.organisation_id)
    for role in ("facilitator", "lead", "admin"):
        client = app.test_client()
        sign_in(client, make_user(role))
        pages = [client.get(f"/ideas/{idea.id}").get_data(as_text=True),
                 client.get(f"/facilitate/conversations/{conversation.id}").get_data(as_text=True),
                 client.get(f"/facilitate/conversations/{conversation.id}/moderation").get_data(as_text=True),
                 client.get(f"/facilitate/conversations/{conversation.id}/outreach").get_data(as_text=True)]
        for page in pages:
            assert "Sent to the Freedom to Speak Up Guardian" not in page and "Speak Up queue" not in page
        assert client.get("/guardian/").status_code == 404
        if role == "admin":
            page = client.get(f"/admin/organisations/{org.id}/speak-up").get_data(as_text=True)
            assert "Fewer than 10 so far" in page and "About " not in page
            for n in range(10):
                ideas.post_idea(as_participant(make_user()), conversation.questions[0].id, f"{TEXT} {n}", to_guardian=True)
            page = client.get(f"/admin/organisations/{org.id}/speak-up").get_data(as_text=True)
            assert "About 10 (rounded to 5)" in page and TEXT not in page
