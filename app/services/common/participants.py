"""Who is acting: the pseudonymous identity and organisations a service needs, without a user id."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.models import Role, User


@dataclass(frozen=True)
class Participant:
    """The caller of a participation service: a user key, never a user id."""

    user_key: str
    organisation_ids: frozenset[int]
    display_name: str = ""
    # Organisations where this person may facilitate (sees drafts, manages conversations).
    facilitates: frozenset[int] = field(default_factory=frozenset)
    # Organisations where this person is a change-hub lead (or admin): triages themes, publishes outcomes.
    leads: frozenset[int] = field(default_factory=frozenset)
    # (organisation id, staff group id) per membership: only for group-level participation figures.
    memberships: tuple[tuple[int, int | None], ...] = ()
    # A guest who joined with a code sees this one conversation and nothing else.
    guest_conversation_id: int | None = None
    # Organisations where this person is the Freedom to Speak Up Guardian (app/services/speakup/).
    guardian_of: frozenset[int] = field(default_factory=frozenset)

    @classmethod
    def from_user(cls, user: User) -> Participant:
        return cls(
            user_key=user.user_key,
            organisation_ids=user.organisation_ids,
            display_name=user.display_name or "",
            facilitates=frozenset(
                m.organisation_id for m in user.memberships if Role(m.role).rank >= Role.FACILITATOR.rank
            ),
            leads=frozenset(m.organisation_id for m in user.memberships if Role(m.role).rank >= Role.LEAD.rank),
            memberships=tuple(sorted((m.organisation_id, m.staff_group_id) for m in user.memberships)),
            guest_conversation_id=getattr(user, "guest_conversation_id", None),
            guardian_of=frozenset(m.organisation_id for m in user.memberships if getattr(m, "speak_up_guardian", False)),
        )
