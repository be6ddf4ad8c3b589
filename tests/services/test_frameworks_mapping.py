"""The theme run maps ideas and themes onto the framework; lead corrections survive re-runs and teach later runs."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import ElementCorrection, Idea, IdeaElement, ThemeAssignment, ThemeElement, ThemeSnapshot
from app.services.common.errors import NotFound
from app.services.content import ideas, voting
from app.services.frameworks import catalogue, corrections, mapping, view
from app.services.themes import runs
from tests.services.triage_fixtures import themed  # noqa: F401  (fixture)


def idea_map(conversation) -> dict[str, set[int]]:
    found: dict[str, set[int]] = {}
    for idea_id, element_id in db.session.execute(sa.select(IdeaElement.idea_id, IdeaElement.element_id).where(
            IdeaElement.conversation_id == conversation.id)):
        found.setdefault(idea_id, set()).add(element_id)
    return found


def theme_map(conversation) -> dict[int, dict[int, str]]:
    found: dict[int, dict[int, str]] = {}
    for row in db.session.scalars(sa.select(ThemeElement).where(ThemeElement.conversation_id == conversation.id)):
        found.setdefault(row.theme_id, {})[row.element_id] = row.source
    return found


def rerun(conversation, people, text="Free parking for night staff would be a real thank you from the trust"):
    ideas.post_idea(people[0], conversation.questions[0].id, text, allow_identifying=True)
    before = conversation.current_theme_run_id
    runs.request_theme_run(conversation.id)
    db.session.refresh(conversation)
    assert conversation.current_theme_run_id != before


def element_named(start: str) -> int:
    return next(e.id for e in catalogue.default_framework().elements if e.name.startswith(start))


def biggest_theme(conversation) -> int:
    return db.session.scalars(sa.select(ThemeSnapshot.theme_id).where(
        ThemeSnapshot.run_id == conversation.current_theme_run_id).order_by(ThemeSnapshot.size.desc())).first()


def test_a_run_maps_every_idea_and_theme_onto_the_people_promise(themed):
    conversation, _, _, _ = themed
    mapped = idea_map(conversation)
    themed_ids = set(db.session.scalars(sa.select(ThemeAssignment.idea_id).where(
        ThemeAssignment.run_id == conversation.current_theme_run_id)))
    valid = {e.id for e in catalogue.default_framework().elements}
    assert mapped and set(mapped) <= themed_ids
    assert len(mapped) >= len(themed_ids) // 2  # staff ideas mostly speak to the People Promise
    assert all(ids <= valid for ids in mapped.values())
    assert any(len(ids) > 1 for ids in mapped.values())  # multi-label
    themes = theme_map(conversation)
    assert themes and all(set(m.values()) == {"run"} for m in themes.values())
    confidences = db.session.scalars(sa.select(IdeaElement.confidence)).all()
    assert all(0 < c <= 1 for c in confidences)


def test_lead_corrections_show_at_once_and_survive_reruns(themed):
    conversation, people, orgs, _ = themed
    theme_id = biggest_theme(conversation)
    current = set(theme_map(conversation).get(theme_id, {}))
    removed = next(iter(current)) if current else element_named("We are safe and healthy")
    added = next(e.id for e in catalogue.default_framework().elements if e.id not in current and e.id != removed)
    corrections.correct_theme(orgs, theme_id, removed, added=False)
    corrections.correct_theme(orgs, theme_id, added, added=True)
    idea_id = next(iter(idea_map(conversation)))
    idea_removed = next(iter(idea_map(conversation)[idea_id]))
    corrections.correct_idea(orgs, idea_id, idea_removed, added=False)
    assert removed not in theme_map(conversation)[theme_id]
    assert theme_map(conversation)[theme_id][added] == "lead"
    for text in ("More staff on night shifts so we are safe", "A thank you from managers for extra shifts"):
        rerun(conversation, people, text)
        assert removed not in theme_map(conversation).get(theme_id, {})
        assert theme_map(conversation)[theme_id][added] == "lead"
        assert idea_removed not in idea_map(conversation).get(idea_id, set())
    # Withdrawing a correction lets the runs decide again (the background re-map runs inline in tests).
    correction = db.session.scalar(sa.select(ElementCorrection).where(ElementCorrection.theme_id == theme_id,
                                                                      ElementCorrection.element_id == added))
    corrections.withdraw_correction(orgs, correction.id)
    assert theme_map(conversation).get(theme_id, {}).get(added) != "lead"


def test_corrections_are_refused_for_another_organisation(themed, make_org):
    conversation, _, orgs, _ = themed
    theme_id = biggest_theme(conversation)
    element = element_named("We are recognised")
    other = frozenset({make_org("Hillside Trust").id})
    with pytest.raises(NotFound):
        corrections.correct_theme(other, theme_id, element, added=True)
    with pytest.raises(NotFound):
        corrections.correct_idea(other, next(iter(idea_map(conversation))), element, added=True)
    own = catalogue.create_framework(next(iter(other)), "Hillside values", "", [catalogue.ElementInput("Kind")])
    with pytest.raises(NotFound):  # an element of another framework
        corrections.correct_theme(orgs, theme_id, own.elements[0].id, added=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ElementCorrection)) == 0


def test_lead_added_texts_become_extra_examples_for_the_organisations_later_runs(themed, make_conversation):
    conversation, people, orgs, _ = themed
    framework = catalogue.default_framework()
    element = element_named("We each have a voice")
    odd = "Bring back the Friday cake trolley on ward nine"
    idea, _ = ideas.post_idea(people[0], conversation.questions[0].id, odd, allow_identifying=True)
    runs.request_theme_run(conversation.id)
    corrections.correct_idea(orgs, idea.id, element, added=True)
    assert odd in mapping.extra_examples(conversation.organisation_id, framework)[str(element)]
    assert mapping.extra_examples(conversation.organisation_id + 999, framework) == {}
    # A later conversation of the same organisation maps a similar idea onto that element by itself.
    later = make_conversation(title="Next year")
    for text in ("Bring back the Friday cake trolley on ward ten", "More car parking spaces for night staff",
                 "Hot food in the canteen after midnight"):
        ideas.post_idea(people[1], later.questions[0].id, text, allow_identifying=True)
    runs.request_theme_run(later.id)
    cake = db.session.scalar(sa.select(IdeaElement.idea_id).join(
        ThemeAssignment, ThemeAssignment.idea_id == IdeaElement.idea_id).where(
        IdeaElement.conversation_id == later.id, IdeaElement.element_id == element))
    assert cake is not None


def test_embeddings_path_uses_the_runs_vectors(themed, monkeypatch):
    import numpy as np

    import nlp.frameworks
    from nlp import represent

    conversation, _, _, _ = themed
    rows = sorted(db.session.scalars(sa.select(ThemeAssignment.idea_id).where(
        ThemeAssignment.run_id == conversation.current_theme_run_id)).all())
    dims = 8
    rng = np.random.default_rng(0)
    vectors = {i: rng.random(dims).astype(np.float32) for i in rows}
    monkeypatch.setattr(represent, "embed_many", lambda texts: rng.random((len(texts), dims)).astype(np.float32))
    mapping._element_cache.clear()  # wording embedded by another test's stand-in model
    seen: dict = {}
    original = nlp.frameworks.map_texts

    def spy(texts, elements, **kwargs):
        seen.update(kwargs, texts=list(texts), elements=list(elements))
        return original(texts, elements, **kwargs)

    monkeypatch.setattr(nlp.frameworks, "map_texts", spy)
    assert mapping.map_conversation(conversation, vectors) == len(rows)
    db.session.commit()
    # The run's own vectors, in the order of the texts; element vectors for every wording row.
    assert np.array_equal(seen["vectors"], np.vstack([vectors[i] for i in rows]))
    assert len(seen["element_vectors"]) == len(nlp.frameworks.element_texts(seen["elements"], seen["extra_examples"]))
    # Without every idea's vector the lexicon method is used.
    seen.clear()
    mapping.map_conversation(conversation, {rows[0]: vectors[rows[0]]})
    assert seen["texts"] and seen.get("vectors") is None and seen.get("element_vectors") is None


def test_view_groups_themes_and_outcomes_by_element_with_k_suppressed_supporters(themed, make_user, as_participant):
    conversation, people, orgs, _ = themed
    theme_id = biggest_theme(conversation)
    element = element_named("We are recognised")
    corrections.correct_theme(orgs, theme_id, element, added=True)
    from app.services.triage.outcomes import publish_outcome
    from app.models import Theme

    publish_outcome(db.session.get_one(Theme, theme_id), "You asked for free parking", "We will open the staff car park",
                    "Estates", None)
    result = view.framework_view(conversation.id)
    assert result.framework_name == "NHS People Promise" and result.mapped
    card = next(e for e in result.elements if e.element_id == element)
    assert theme_id in [t.theme_id for t in card.themes]
    assert [o.theme.id for o in card.outcomes] == [theme_id]
    assert all(t.supporters is None for e in result.elements for t in e.themes)  # no votes yet: fewer than k
    members = db.session.scalars(sa.select(ThemeAssignment.idea_id).where(
        ThemeAssignment.run_id == conversation.current_theme_run_id, ThemeAssignment.theme_id == theme_id)).all()
    voters = [as_participant(make_user()) for _ in range(result.k - 1)]
    for voter in voters:
        voting.cast_vote(voter, members[0], "support")
    again = view.framework_view(conversation.id)
    theme = next(t for e in again.elements if e.element_id == element for t in e.themes if t.theme_id == theme_id)
    assert theme.supporters is None  # k - 1 people: hidden
    voting.cast_vote(as_participant(make_user()), members[0], "support")
    again = view.framework_view(conversation.id)
    theme = next(t for e in again.elements if e.element_id == element for t in e.themes if t.theme_id == theme_id)
    assert theme.supporters == view.round_to_5(result.k)
    assert theme.ideas == len(members) and theme.status_label == "New"


def test_exports_carry_the_element_names(themed):
    import csv
    import io

    from openpyxl import load_workbook

    from app.services.triage import exports

    conversation, _, orgs, _ = themed
    theme_id = biggest_theme(conversation)
    first, second = catalogue.default_framework().elements[:2]
    corrections.correct_theme(orgs, theme_id, second.id, added=True)
    corrections.correct_theme(orgs, theme_id, first.id, added=True)
    data = exports.export_data(orgs, conversation.id)
    themes = list(csv.reader(io.StringIO(exports.to_csv(exports.THEME_COLUMNS, data.themes))))
    assert themes[0][-1] == "Framework elements"
    label = db.session.scalar(sa.select(ThemeSnapshot.label).where(
        ThemeSnapshot.run_id == conversation.current_theme_run_id, ThemeSnapshot.theme_id == theme_id))
    row = next(r for r in themes[1:] if r[0] == label)
    assert row[-1].startswith(f"{first.name}; {second.name}")  # in the framework's order, ;-joined
    ideas = list(csv.reader(io.StringIO(exports.to_csv(exports.IDEA_COLUMNS, data.ideas))))
    mapped = idea_map(conversation)
    names = {e.id: e.name for e in catalogue.default_framework().elements}
    by_body = dict(db.session.execute(sa.select(Idea.body, Idea.id).where(Idea.conversation_id == conversation.id)).all())
    for r in ideas[1:]:
        expected = {names[e] for e in mapped.get(by_body[r[2]], set())}
        assert set(filter(None, r[-1].split("; "))) == expected
    book = load_workbook(io.BytesIO(exports.to_xlsx(data)))
    assert [c.value for c in next(book["Ideas"].iter_rows(max_row=1))][-1] == "Framework elements"


def test_cached_framework_wording_follows_the_embedding_model(monkeypatch):  # type: ignore[no-untyped-def]
    """CI: a cached 16-dimension embedding of the wording met 8-dimension idea vectors (another model) and the
    run failed; the cache is keyed by the model's dimensions too."""
    import numpy as np

    from app.services.frameworks import mapping
    from nlp import represent
    from nlp.frameworks import read_default_framework

    elements = read_default_framework()
    monkeypatch.setattr(mapping, "_element_cache", {})
    monkeypatch.setattr(represent, "embed_many", lambda texts: np.ones((len(texts), 16), dtype=np.float32))
    assert mapping._element_vectors(elements, {}, 16).shape[1] == 16
    monkeypatch.setattr(represent, "embed_many", lambda texts: np.ones((len(texts), 8), dtype=np.float32))
    assert mapping._element_vectors(elements, {}, 8).shape[1] == 8
