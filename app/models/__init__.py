"""All models, imported here so Alembic and the app see every table."""

from app.models.credentials import PasswordLink, RevokedSession
from app.models.content import Comment, ContentStatus, Idea, IdeaStage, NewComment, Vote
from app.models.conversation import (
    Conversation,
    ConversationKey,
    ConversationKind,
    ConversationStatus,
    ModerationMode,
    Question,
    VotingMode,
    audience,
)
from app.models.messaging import MessageKind, MessagePreference, MessageStatus, OutreachMessage, TeamsWebhook
from app.models.moderation import ContentReport, ModerationEntry, ModerationLogAction, ReportReason
from app.models.imports import NoteImport
from app.models.framework import (
    ElementCorrection,
    Framework,
    FrameworkElement,
    IdeaElement,
    MappingSource,
    ThemeElement,
)
from app.models.live import LiveEvent, Phase
from app.models.opinion import OpinionRun
from app.models.outbox import JobOutbox
from app.models.organisation import Organisation, Partnership, StaffGroup
from app.models.polis import PolisImport, PolisImportStatus
from app.models.pairwise import PairwiseIdea, PairwiseItems, PairwiseSetup
from app.models.outreach import WorkforceBaseline
from app.models.participation import ParticipationSnapshot
from app.models.speakup import SpeakUpContact, SpeakUpMessage, SpeakUpThread, ThreadStatus
from app.models.poll import Poll, PollAnswer, PollKind, PollStatus
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
    "JobOutbox",
    "ApiToken",
    "Comment",
    "ElementCorrection",
    "Framework",
    "FrameworkElement",
    "IdeaElement",
    "MappingSource",
    "ThemeElement",
    "ContentReport",
    "ContentStatus",
    "Conversation",
    "ConversationKey",
    "ConversationKind",
    "ConversationStatus",
    "Idea",
    "PairwiseIdea",
    "PairwiseItems",
    "PairwiseSetup",
    "IdeaStage",
    "LiveEvent",
    "NewComment",
    "NoteImport",
    "IdeaPlacement",
    "IdeaVector",
    "Membership",
    "MessageKind",
    "MessagePreference",
    "MessageStatus",
    "OutreachMessage",
    "TeamsWebhook",
    "ModerationEntry",
    "ModerationLogAction",
    "ModerationMode",
    "OpinionRun",
    "Organisation",
    "ParticipationSnapshot",
    "Poll",
    "PollAnswer",
    "PollKind",
    "PollStatus",
    "Outcome",
    "OutcomeUpdate",
    "PairwiseChoice",
    "Partnership",
    "PasswordLink",
    "Phase",
    "PolisImport",
    "PolisImportStatus",
    "Question",
    "ReportReason",
    "SpeakUpContact",
    "SpeakUpMessage",
    "SpeakUpThread",
    "ThreadStatus",
    "WorkforceBaseline",
    "RevokedSession",
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
