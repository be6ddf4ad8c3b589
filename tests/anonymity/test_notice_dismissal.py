"""Attack: diff two dumps around people reading and dismissing their notices.

Only authors and voters of a theme get a "You said, we did" notice, and only an item's author gets its
moderation notice, so any row written when a notice is dismissed names who took part (rule A2).
"""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Idea, ThemeAssignment, User
from app.services.moderation import decisions
from app.services.triage import outcomes
from app.services.content import voting
from app.services.accounts.users import create_api_token
from app.services.content.authorship import is_author
from app.services.common.keys import conversation_key
from tests.anonymity.dumps import changed_tables, dump, rewritten_rows
from tests.conftest import PASSWORD, csrf_token
from tests.services.test_triage_plans import top_theme
from tests.services.triage_fixtures import themed  # noqa: F401  (fixture)

# dump() reflects the schema, whose conversation <-> theme_run foreign keys form a cycle SQLAlchemy warns about.
pytestmark = pytest.mark.filterwarnings("ignore:Cannot correctly sort tables")

OUTCOME_BANNER = "you contributed to or voted on"
MODERATION_BANNER = "Message from the moderators"


def _sign_in(client, user) -> str:  # type: ignore[no-untyped-def]
    response = client.post("/auth/sign-in", data={"email": user.email, "password": PASSWORD,
                                                  "csrf_token": csrf_token(client)})
    assert response.status_code == 302
    return csrf_token(client, "/")


def _person_tables() -> set[str]:
    """The user table and every table that points at it, except the log of what moderators themselves did."""
    return {"user"} | {t.name for t in db.metadata.sorted_tables
                       if t.name != "moderation_entry" and any(fk.column.table.name == "user" for fk in t.foreign_keys)}


def _assert_nothing_written(before, after) -> None:  # type: ignore[no-untyped-def]
    assert changed_tables(before, after) == {}
    assert rewritten_rows(before, after) == {}  # PostgreSQL: no row rewritten, even with the same values


def _theme_ideas(conversation) -> tuple:  # type: ignore[no-untyped-def]
    db.session.refresh(conversation)
    theme = top_theme(conversation)
    return theme, list(db.session.scalars(sa.select(ThemeAssignment.idea_id).where(
        ThemeAssignment.run_id == conversation.current_theme_run_id, ThemeAssignment.theme_id == theme.id)))


def _setting(app, themed, make_user, as_participant):  # type: ignore[no-untyped-def]
    """A theme with an author among its ideas, a voter on it and a bystander; one other post of the author is hidden."""
    app.config["CHORUS_NOTICE_CACHE_SECONDS"] = 0
    conversation, people, _, lead = themed
    theme, idea_ids = _theme_ideas(conversation)
    key = conversation_key(conversation)
    mine = {p.user_key: {i.id for i in db.session.scalars(sa.select(Idea)) if is_author(p, key, i)} for p in people}
    author = next(p for p in people if mine[p.user_key] & set(idea_ids) and mine[p.user_key] - set(idea_ids))
    # Hidden before the theme is settled: hiding an idea may re-run themes and move ideas between them.
    moderated = sorted(mine[author.user_key] - set(idea_ids))[0]
    decisions.hide_item(conversation, lead.id, "idea", moderated, "off_topic", "Say how it helps")
    theme, idea_ids = _theme_ideas(conversation)
    assert mine[author.user_key] & set(idea_ids)
    voter, bystander = make_user(), make_user()
    voting.cast_vote(as_participant(voter), next(i for i in idea_ids if i not in mine[author.user_key]), "support")
    author_user = db.session.scalar(sa.select(User).where(User.user_key == author.user_key))
    return conversation, theme, lead, author_user, moderated, voter, bystander


def test_outcome_and_moderation_notices_write_nothing_when_read_or_dismissed(app, themed, make_user, as_participant):
    conversation, theme, lead, author, moderated, voter, bystander = _setting(app, themed, make_user, as_participant)
    clients = {who: app.test_client() for who in ("author", "voter", "bystander")}
    tokens = {who: _sign_in(clients[who], user) for who, user in
              (("author", author), ("voter", voter), ("bystander", bystander))}

    before = dump()
    outcomes.publish_outcome(theme, "Night staff cannot park.", "Reserve 40 spaces after 7pm.", "Estates", date(2027, 2, 1))
    published = dump()
    # Publishing touches the outcome only: no row of any person.
    assert not set(changed_tables(before, published)) & _person_tables()

    for who in clients:
        clients[who].get("/")
    home = {who: clients[who].get("/").get_data(as_text=True) for who in clients}
    assert OUTCOME_BANNER in home["author"] and OUTCOME_BANNER in home["voter"]
    assert OUTCOME_BANNER not in home["bystander"]
    # A moderation notice is shown at the top of the first page of a visit (here the sign-in's "/"), and always
    # on "My ideas and comments".
    mine = {who: clients[who].get(f"/conversations/{conversation.id}/mine").get_data(as_text=True)
            for who in ("author", "voter")}
    assert MODERATION_BANNER in mine["author"] and MODERATION_BANNER not in mine["voter"]
    for who in ("author", "voter"):
        seen = clients[who].post("/outcomes/notices/seen", data={"csrf_token": tokens[who], "next": "/"})
        assert seen.status_code == 302
    dismissed = clients["author"].post(f"/notices/idea/{moderated}/dismiss", data={"csrf_token": tokens["author"], "next": "/"})
    assert dismissed.status_code == 302
    _assert_nothing_written(published, dump())

    # The notices stay dismissed on that browser...
    for who in ("author", "voter"):
        page = clients[who].get("/").get_data(as_text=True)
        assert OUTCOME_BANNER not in page and MODERATION_BANNER not in page
    assert MODERATION_BANNER not in clients["author"].get(f"/conversations/{conversation.id}/mine").get_data(as_text=True)

    # ...and an update brings the outcome notice back, still without a write when it is dismissed again.
    outcomes.add_progress_update(theme, "20 spaces are now reserved; the rest follow in January.")
    updated = dump()
    assert OUTCOME_BANNER in clients["voter"].get("/").get_data(as_text=True)
    assert clients["voter"].post("/outcomes/notices/seen", data={"csrf_token": tokens["voter"], "next": "/"}).status_code == 302
    assert OUTCOME_BANNER not in clients["voter"].get("/").get_data(as_text=True)
    _assert_nothing_written(updated, dump())


def test_dismissing_through_the_api_writes_nothing(app, themed, make_user, as_participant):
    conversation, theme, lead, author, moderated, voter, _ = _setting(app, themed, make_user, as_participant)
    outcomes.publish_outcome(theme, "Night staff cannot park.", "Reserve 40 spaces after 7pm.", "Estates", None)
    client = app.test_client()
    headers = {"Authorization": f"Bearer {create_api_token(author)}"}
    assert [n["item_id"] for n in client.get("/api/v1/notices", headers=headers).json["notices"]] == [moderated]
    assert client.get("/api/v1/me/outcome-notices", headers=headers).json["notices"]
    before = dump()
    assert client.post(f"/api/v1/notices/idea/{moderated}/dismiss", headers=headers).status_code == 204
    assert client.post("/api/v1/me/outcome-notices/seen", headers=headers).status_code == 204
    _assert_nothing_written(before, dump())
    assert client.get("/api/v1/notices", headers=headers).json["notices"] == []
    assert client.get("/api/v1/me/outcome-notices", headers=headers).json["notices"] == []


def test_a_shared_browser_keeps_each_persons_dismissals_apart(app, themed, make_user, as_participant):
    """Dismissing on a shared computer must not hide another person's notices, nor tell them whose they were."""
    conversation, theme, lead, author, moderated, voter, _ = _setting(app, themed, make_user, as_participant)
    outcomes.publish_outcome(theme, "Night staff cannot park.", "Reserve 40 spaces after 7pm.", "Estates", None)
    shared = app.test_client()
    token = _sign_in(shared, voter)
    assert shared.post("/outcomes/notices/seen", data={"csrf_token": token, "next": "/"}).status_code == 302
    cookies = " ".join(f"{c.key}={c.value}" for c in shared._cookies.values())
    assert moderated not in cookies and voter.user_key not in cookies and voter.email not in cookies
    assert shared.post("/auth/sign-out", data={"csrf_token": csrf_token(shared, "/")}).status_code == 302
    _sign_in(shared, author)
    assert OUTCOME_BANNER in shared.get("/").get_data(as_text=True)
    # Another device of the voter's starts with no dismissals, so the notice shows there until dismissed.
    elsewhere = app.test_client()
    _sign_in(elsewhere, voter)
    assert OUTCOME_BANNER in elsewhere.get("/").get_data(as_text=True)
