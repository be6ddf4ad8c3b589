"""The triage pages and API: role checks, forms with errors, downloads, staff outcomes and notices."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Theme, ThemePlan, ThemeSnapshot
from tests.conftest import csrf_token
from tests.services.triage_fixtures import themed  # noqa: F401  (fixture)

# k-means in nlp/cluster.py warns when a conversation holds duplicate texts; the run is still correct.


def top(conversation) -> Theme:
    db.session.refresh(conversation)
    snaps = db.session.scalars(sa.select(ThemeSnapshot).where(ThemeSnapshot.run_id == conversation.current_theme_run_id)
                               .order_by(ThemeSnapshot.size.desc())).all()
    return [db.session.get(Theme, s.theme_id) for s in snaps]


@pytest.mark.parametrize("role", ["participant", "facilitator"])
def test_non_leads_get_404_on_every_triage_page(client, login, make_user, themed, role):
    conversation, _, _, _ = themed
    theme = top(conversation)[0]
    token = login(make_user(role))
    for url in ["/manage/", f"/manage/conversations/{conversation.id}", f"/manage/themes/{theme.id}",
                f"/manage/conversations/{conversation.id}/export/themes.csv", f"/manage/conversations/{conversation.id}/report"]:
        assert client.get(url).status_code == 404, url
    response = client.post(f"/manage/themes/{theme.id}/rename", data={"label": "Hijacked", "csrf_token": token})
    assert response.status_code == 404
    api = client.put(f"/api/v1/manage/themes/{theme.id}/status", json={"status": "under_review"}, headers={"X-CSRFToken": token})
    assert api.status_code == 404
    db.session.refresh(theme)
    assert theme.label != "Hijacked" and db.session.get(ThemePlan, theme.id) is None


def test_lead_board_and_theme_page(client, login, themed):
    conversation, _, _, lead = themed
    login(lead)
    board = client.get(f"/manage/conversations/{conversation.id}")
    html = board.get_data(as_text=True)
    assert board.status_code == 200 and "Priority score" in html and "Fewer than 11 people" in html
    theme = top(conversation)[0]
    page = client.get(f"/manage/themes/{theme.id}").get_data(as_text=True)
    assert "How the priority score is made" in page and "Split into a new theme" in page
    assert client.get("/manage/").status_code == 200
    assert client.get(f"/manage/conversations/{conversation.id}/matrix").status_code == 200
    assert client.get(f"/manage/conversations/{conversation.id}/prioritise").status_code == 200


def test_lead_edits_through_forms(client, login, themed):
    conversation, _, _, lead = themed
    token = login(lead)
    first, second = top(conversation)[:2]
    response = client.post(f"/manage/themes/{first.id}/rename", data={"label": "Night shift welfare", "csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/manage/themes/{first.id}")
    response = client.post(f"/manage/themes/{second.id}/merge", data={"target_id": first.id, "csrf_token": token})
    assert response.status_code == 302 and db.session.get(ThemePlan, second.id).merged_into_id == first.id
    # The public reason is required: the form comes back with the error and nothing changes.
    response = client.post(f"/manage/themes/{first.id}/status", data={"status": "not_taking_forward", "public_reason": "", "csrf_token": token})
    assert response.status_code == 400 and "Give staff a reason" in response.get_data(as_text=True)
    assert db.session.get(ThemePlan, first.id).status == "new"
    response = client.post(f"/manage/themes/{first.id}/status", data={"status": "under_review", "csrf_token": token})
    assert response.status_code == 302
    response = client.post(f"/manage/themes/{first.id}/rating", data={"impact": "4", "effort": "2", "csrf_token": token})
    assert response.status_code == 302
    response = client.post(f"/manage/themes/{first.id}/outcome", data={
        "outcome-heard": "Nights are hard", "outcome-will_do": "Hot food until 3am", "outcome-by_whom": "Catering",
        "outcome-by_when": "2027-01-31", "csrf_token": token})
    assert response.status_code == 302
    matrix = client.get(f"/manage/conversations/{conversation.id}/matrix").get_data(as_text=True)
    assert "<svg" in matrix and "Night shift welfare" in matrix and "Quick wins" in matrix
    response = client.post(f"/manage/themes/{first.id}/rename", data={"label": "x", "csrf_token": token})
    assert response.status_code == 400 and "Enter a name of 2 to 120 characters" in response.get_data(as_text=True)


def test_downloads_are_files_without_authors(client, login, themed):
    conversation, _, _, lead = themed
    login(lead)
    csv_response = client.get(f"/manage/conversations/{conversation.id}/export/themes.csv")
    assert csv_response.mimetype == "text/csv" and "attachment" in csv_response.headers["Content-Disposition"]
    assert csv_response.get_data(as_text=True).startswith("Theme,Status")
    xlsx = client.get(f"/manage/conversations/{conversation.id}/export/themes.xlsx")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"
    report = client.get(f"/manage/conversations/{conversation.id}/report").get_data(as_text=True)
    assert "<svg" in report and "Ideas in each theme" in report and "author_tag" not in report


def test_staff_see_outcomes_and_a_notice_at_their_next_visit(client, login, themed, make_user):
    conversation, people, _, lead = themed
    theme = top(conversation)[0]
    staff = make_user()
    token = login(staff)
    listed = client.get(f"/api/v1/conversations/{conversation.id}/themes").json["themes"]
    idea = next(t for t in listed if t["id"] == theme.id)["quotes"][0]["idea_id"]
    client.put(f"/api/v1/ideas/{idea}/vote", json={"choice": "support"}, headers={"X-CSRFToken": token})
    client.post("/auth/sign-out", data={"csrf_token": token})
    token = login(lead)
    put = client.put(f"/api/v1/manage/themes/{theme.id}/outcome", headers={"X-CSRFToken": token},
                     json={"heard": "Parking at night", "will_do": "Reserve spaces", "by_whom": "Estates", "by_when": "2027-02-01"})
    assert put.status_code == 200 and put.json["by_when"] == "2027-02-01"
    client.post("/auth/sign-out", data={"csrf_token": token})
    token = login(staff)
    home = client.get("/").get_data(as_text=True)
    assert "you contributed to or voted on" in home
    assert client.get("/api/v1/me/outcome-notices").json["notices"][0]["theme_id"] == theme.id
    response = client.post("/outcomes/notices/seen", data={"csrf_token": csrf_token(client, "/"), "next": "/"})
    assert response.status_code == 302
    assert "you contributed to or voted on" not in client.get("/").get_data(as_text=True)
    page = client.get(f"/conversations/{conversation.id}/outcomes").get_data(as_text=True)
    assert "Reserve spaces" in page and "You said, we did" in page
    assert f"/organisations/{conversation.organisation_id}/outcomes" in page
    assert client.get(f"/api/v1/conversations/{conversation.id}/outcomes").json["conversations"][0]["themes"][0]["outcome"]["will_do"] == "Reserve spaces"
    assert client.get(f"/organisations/{conversation.organisation_id}/outcomes").status_code == 200
    assert client.get(f"/organisations/{conversation.organisation_id + 50}/outcomes").status_code == 404


def test_api_lead_actions_and_clear_errors(client, login, themed):
    conversation, _, _, lead = themed
    token = login(lead)
    h = {"X-CSRFToken": token}
    first, second = top(conversation)[:2]
    board = client.get(f"/api/v1/manage/conversations/{conversation.id}/board").json
    assert board["themes"] and {"score", "breadth", "trend", "status"} <= set(board["themes"][0])
    assert board["themes"][0]["breadth"]["people"] is None  # below k
    assert client.patch(f"/api/v1/manage/themes/{first.id}", json={"label": "Car parking"}, headers=h).json["label"] == "Car parking"
    assert client.patch(f"/api/v1/manage/themes/{first.id}", json={"label": "A", "pinned": True}, headers=h).status_code == 400
    bad = client.put(f"/api/v1/manage/themes/{first.id}/status", json={"status": "not_taking_forward"}, headers=h)
    assert bad.status_code == 422 and bad.json["error"]["field"] == "public_reason"
    assert client.put(f"/api/v1/manage/themes/{first.id}/owner", json={"owner": "Estates", "due_on": "31/12/2026"}, headers=h).status_code == 400
    assert client.put(f"/api/v1/manage/themes/{first.id}/rating", json={"impact": 4, "effort": 2}, headers=h).json["impact"] == 4
    action = client.post(f"/api/v1/manage/themes/{first.id}/actions", json={"text": "Count spaces"}, headers=h)
    assert action.status_code == 201
    assert client.patch(f"/api/v1/manage/themes/{first.id}/actions/{action.json['id']}", json={"done": True}, headers=h).json["done"]
    ideas_of_second = [q["idea_id"] for q in client.get(f"/api/v1/manage/themes/{second.id}").json["quotes"]]
    moved = client.post(f"/api/v1/manage/conversations/{conversation.id}/placements",
                        json={"idea_id": ideas_of_second[0], "theme_id": first.id}, headers=h)
    assert moved.status_code == 200
    merged = client.post(f"/api/v1/manage/themes/{second.id}/merge", json={"target_id": first.id}, headers=h)
    assert merged.status_code == 200 and merged.json["id"] == first.id
    pair = client.get(f"/api/v1/conversations/{conversation.id}/pairs/next").json["pair"]
    answer = client.post(f"/api/v1/conversations/{conversation.id}/pairs",
                         json={"left_id": pair["left"]["id"], "right_id": pair["right"]["id"], "choice": "right"}, headers=h)
    assert answer.status_code == 201
    assert client.get(f"/api/v1/manage/conversations/{conversation.id}/ranking").json["themes"][0]["id"] == pair["right"]["id"]


def test_staff_compare_themes_in_pairs(client, login, themed, make_user):
    conversation, _, _, _ = themed
    token = login(make_user())
    page = client.get(f"/conversations/{conversation.id}/prioritise").get_data(as_text=True)
    left, right = re.search(r'name="left_id" value="(\d+)"', page).group(1), re.search(r'name="right_id" value="(\d+)"', page).group(1)
    response = client.post(f"/conversations/{conversation.id}/prioritise",
                           data={"left_id": left, "right_id": right, "choice": "skip", "csrf_token": token})
    assert response.status_code == 302
    from app.models import PairwiseChoice

    assert db.session.scalar(sa.select(PairwiseChoice.choice)) == "skip"


def test_charts_escape_labels_and_match_their_tables():
    from app.manage.charts import bar_svg, matrix_svg, quadrant

    svg = str(bar_svg([("<script>alert(1)</script>", 3), ("Parking", 1)], "Ideas <per> theme", "ideas", "t"))
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "1 idea<" in svg and "3 ideas<" in svg
    matrix = str(matrix_svg([(1, "A", 5, 1), (2, "B", 5, 1)]))
    assert matrix.count("<circle") == 2 and 'role="img"' in matrix
    assert quadrant(5, 1) == "Quick wins" and quadrant(2, 4) == "Hard slogs"


@pytest.mark.parametrize("crowded", [1, 2, 4, 9, 12, 30])
def test_matrix_points_never_overlap_even_when_many_share_a_score(crowded):
    import itertools
    import re

    from app.manage.charts import matrix_svg

    points = [(n, f"Theme {n}", 4, 2) for n in range(1, crowded + 1)]  # all in one square
    points += [(100 + n, "Neighbour", 4 + dy, 2 + dx) for n, (dy, dx) in enumerate([(1, 0), (0, 1), (-1, 0), (0, -1)])]
    points += [(200, "Next door crowd", 5, 2), (201, "Next door crowd", 5, 2), (202, "Next door crowd", 5, 2)]
    svg = str(matrix_svg(points))
    circles = [tuple(map(float, c)) for c in re.findall(r'<circle cx="([\d.]+)" cy="([\d.]+)" r="([\d.]+)"', svg)]
    assert len(circles) == len(points)
    for (x1, y1, r1), (x2, y2, r2) in itertools.combinations(circles, 2):
        assert ((x1 - x2) ** 2 + (y1 - y2) ** 2) ** 0.5 >= r1 + r2, "two circles overlap"
    numbers = re.findall(r'text-anchor="middle">(\d+)</text>', svg)
    assert sorted(map(int, numbers)) == sorted(p[0] for p in points)  # every theme keeps its number
