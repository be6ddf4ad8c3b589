"""What a worker keeps in memory between requests belongs to one app and its database.

Two apps in one process (a test's fresh database after another test's, or a restored database) can hold a
conversation with the same id and the same event number. Neither may be served what the other kept: the CI run of
2026-12-06 showed the presenter view drawing an earlier test's empty word cloud.
"""

from __future__ import annotations

from datetime import timedelta

from app.extensions import db
from app.models import Conversation, Organisation
from app.models.base import utcnow
from app.services.accounts import organisations, users
from app.services.common.participants import Participant
from app.services.content import ideas
from app.services.conversations import lifecycle
from app.services.themes import reading
from app.services.workshops.wordcloud import session_word_cloud
from tests.conftest import PASSWORD, running_app

PARKING = ["Free parking for night shift staff", "Night shift parking costs too much",
           "Parking permits for night shift staff"]
FOOD = ["Hot food for the night shift team", "Night shift staff need hot food",
        "A hot food counter open after midnight"]


def _conversation_with(notes: list[str]) -> tuple[Conversation, Participant]:
    """In the current app's (fresh) database: an organisation, a person and an open conversation holding notes."""
    org = organisations.create_organisation("Cache Test Trust", "C001")
    organisations.add_staff_group(org, "Nursing")
    person = Participant.from_user(users.create_user(
        "cache@trust.nhs.uk", organisation=org, role="participant", staff_group="Nursing", password=PASSWORD,
        display_name="Cache Tester"))
    conversation = lifecycle.create_conversation(org.id, lifecycle.ConversationDetails(
        title="Nights", voting_mode="support", comments_enabled=True, audience_ids=[org.id],
        questions=["What would make nights better?"], closes_at=utcnow() + timedelta(days=14)))
    lifecycle.open_conversation(conversation)
    for note in notes:
        ideas.post_idea(person, conversation.questions[0].id, note, allow_identifying=True)
    db.session.refresh(conversation)
    return conversation, person


def test_a_word_cloud_kept_by_one_app_is_never_drawn_by_another():
    with running_app("sqlite://"):
        first, _ = _conversation_with(PARKING)
        assert "parking" in {w.text for w in session_word_cloud(first).words}
        kept = (first.id, first.live_seq)
    with running_app("sqlite://"):
        second, _ = _conversation_with(FOOD)
        assert (second.id, second.live_seq) == kept  # the same key, so only the app tells them apart
        words = {w.text for w in session_word_cloud(second).words}
    assert "hot food" in words and "parking" not in words


def test_a_similarity_index_kept_by_one_app_is_never_searched_by_another():
    with running_app("sqlite://"):
        first, _ = _conversation_with(PARKING)
        assert reading.similar_ideas(_reader(first), first.id, "Cheaper parking for the night shift")
    with running_app("sqlite://"):
        second, _ = _conversation_with(FOOD)
        assert second.id == first.id
        found = reading.similar_ideas(_reader(second), second.id, "Hot food for staff on the night shift")
    assert found and all("food" in idea.body for idea, _ in found)


def _reader(conversation: Conversation) -> Participant:
    """Another person in the conversation's organisation (one's own ideas are never offered as similar)."""
    user = users.create_user("reader@trust.nhs.uk", organisation=db.session.get(Organisation, conversation.organisation_id),
                             role="participant",
                             staff_group="Nursing", password=PASSWORD, display_name="Reader")
    return Participant.from_user(user)
