"""Matching themes across sessions by what their ideas say (nlp.matching.match_sessions)."""

from __future__ import annotations

from nlp.matching import MIN_COSINE, centroid_similarity, match_sessions

PARKING = ["Staff parking costs too much for night shifts", "Car park permits are too expensive for nurses",
           "Parking on site is impossible after 8am", "Free parking for staff working nights please"]
FOOD = ["Hot food in the canteen at night", "The canteen closes before the night shift starts",
        "Vegetarian hot meals for night staff", "Canteen food is cold by the time we get a break"]
ROTAS = ["Rotas are published too late to plan childcare", "We get our rota two weeks before, not six",
         "Late rota changes make childcare impossible", "Publish rotas six weeks ahead"]
LIFTS = ["The lifts in block B break down every week", "Broken lifts mean patients wait on trolleys",
         "Fix the lifts near the wards", "Lift out of order again in block B"]


def test_same_topics_match_one_to_one_and_a_new_topic_stays_new() -> None:
    earlier = [FOOD[:2] + FOOD[3:], PARKING[1:], ROTAS[:3]]
    later = [PARKING[:3], LIFTS, ROTAS[1:], FOOD[1:]]
    matched = match_sessions(later, earlier)
    assert matched == {0: 1, 2: 2, 3: 0}  # lifts (index 1) was not raised before: new
    sim = centroid_similarity(later, earlier)
    assert sim[1].max() < MIN_COSINE <= min(sim[0, 1], sim[2, 2], sim[3, 0])


def test_nothing_to_match_against() -> None:
    assert match_sessions([PARKING], []) == {} and match_sessions([], [PARKING]) == {}
    assert match_sessions([["the and of"]], [["it is the"]]) == {}  # stop words only: no words to compare
