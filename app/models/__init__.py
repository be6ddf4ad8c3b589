"""All models, imported here so Alembic and the app see every table."""

from app.models.content import Comment, ContentStatus, Idea, Vote
from app.models.conversation import (
    Conversation,
    ConversationKey,
    ConversationKind,
    ConversationStatus,
    Question,
    VotingMode,
    audience,
)
from app.models.organisation import Organisation, Partnership, StaffGroup
from app.models.theme import IdeaVector, RunStatus, Theme, ThemeAssignment, ThemeRun, ThemeSnapshot
from app.models.triage import (
    IdeaPlacement,
    Outcome,
    OutcomeUpdate,
    PairwiseChoice,
    ThemeAction,
    ThemePlan,
    ThemeStatus,
)
from app.models.user import ApiToken, Membership, Role, User

__all__ = [
    "ApiToken",
    "Comment",
    "ContentStatus",
    "Conversation",
    "ConversationKey",
    "ConversationKind",
    "ConversationStatus",
    "Idea",
    "IdeaPlacement",
    "IdeaVector",
    "Membership",
    "Organisation",
    "Outcome",
    "OutcomeUpdate",
    "PairwiseChoice",
    "Partnership",
    "Question",
    "Role",
    "RunStatus",
    "StaffGroup",
    "Theme",
    "ThemeAction",
    "ThemePlan",
    "ThemeStatus",
    "ThemeAssignment",
    "ThemeRun",
    "ThemeSnapshot",
    "User",
    "Vote",
    "VotingMode",
    "audience",
]
