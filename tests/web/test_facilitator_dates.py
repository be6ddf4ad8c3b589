"""The facilitator's overview and list word a conversation's dates for its state (issue #14 item 9)."""

from __future__ import annotations

import re
from datetime import timedelta

from app.extensions import db
from app.models.base import utcnow


def _overview(client, conversation) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """The overview's summary list as {key: value}."""
    html = client.get(f"/facilitate/conversations/{conversation.id}").get_data(as_text=True)
    pairs = re.findall(r'summary-list__key">\s*(.*?)\s*</dt>\s*<dd class="nhsuk-summary-list__value">\s*(.*?)\s*</dd>', html, re.S)
    return dict(pairs)


def _long(value) -> str:  # type: ignore[no-untyped-def]
    return value.strftime("%-d %B %Y %H:%M UTC")


def test_dates_follow_the_state(client, login, make_user, make_conversation):
    login(make_user("facilitator"))
    draft = make_conversation(status="draft", title="Draft one")
    rows = _overview(client, draft)
    assert rows["Opens"] == "When you open it" and rows["Closes"] == _long(draft.closes_at)

    live = make_conversation(title="Open one")
    rows = _overview(client, live)
    assert "Opens" not in rows and rows["Opened"] == "Open now" and rows["Closes"] == _long(live.closes_at)

    scheduled = make_conversation(title="Scheduled one")
    scheduled.opens_at = (utcnow() + timedelta(days=2)).replace(minute=0, second=0, microsecond=0)
    db.session.commit()
    assert _overview(client, scheduled)["Opens"] == _long(scheduled.opens_at)

    closed = make_conversation(status="closed", title="Closed one")
    rows = _overview(client, closed)
    assert "Closes" not in rows and rows["Closed"] == _long(closed.closed_at)
    listing = client.get("/facilitate/").get_data(as_text=True)
    row = listing.split("Closed one", 1)[1].split("</tr>", 1)[0]
    assert closed.closes_at.strftime("%-d %b %Y %H:%M") not in row and "Closed " + closed.closed_at.strftime("%-d %b %Y") in row

    lapsed = make_conversation(title="Lapsed one")
    lapsed.closes_at = utcnow() - timedelta(hours=3)
    db.session.commit()
    rows = _overview(client, lapsed)
    assert "Closes" not in rows and rows["Closed"] == _long(lapsed.closes_at)
