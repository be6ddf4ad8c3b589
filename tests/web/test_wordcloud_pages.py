"""The word cloud on the presenter view and the console: SVG with a text alternative, the words as a table."""

from __future__ import annotations

import re

from app.services.content import ideas

NOTES = ["Free parking for night shift staff", "Night shift staff need hot food", "<b>Hot food</b> after midnight",
         "Night shift parking costs too much", "Sarah Jones wants hot food on Ward 7", "Sarah Jones and parking"]


def test_presenter_and_console_draw_the_cloud_with_its_table(client, login, make_user, make_conversation,
                                                            as_participant):
    conversation = make_conversation()
    author = as_participant(make_user())
    for note in NOTES:
        ideas.post_idea(author, conversation.questions[0].id, note, allow_identifying=True)
    login(make_user("facilitator"))
    for path in (f"/facilitate/conversations/{conversation.id}/present", f"/facilitate/conversations/{conversation.id}/live"):
        html = client.get(path).get_data(as_text=True)
        cloud = html[html.index("data-live-wordcloud"):]
        cloud = cloud[:cloud.index("</section>")]
        assert 'role="img"' in cloud and "<title id=\"wordcloud-title\">Word cloud of" in cloud and "<desc" in cloud
        words = re.findall(r'<th scope="row" class="nhsuk-table__header">([^<]+)</th>', cloud)
        drawn = re.findall(r"<text [^>]+>([^<]+)</text>", cloud)
        assert "night shift" in words and "hot food" in words and "parking" in words
        assert set(drawn) == set(words)  # everything drawn is in the table
        assert not any("sarah" in w or "jones" in w or "ward" in w for w in words)  # names and wards left out
        assert "<b>" not in cloud  # notes are text, never markup


def test_a_quiet_session_says_the_cloud_will_come(client, login, make_user, make_conversation):
    conversation = make_conversation()
    login(make_user("facilitator"))
    html = client.get(f"/facilitate/conversations/{conversation.id}/present").get_data(as_text=True)
    assert "The word cloud appears once a few notes share words." in html
