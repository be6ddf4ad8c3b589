"""Schemas for frameworks, their elements, a conversation's mappings and leads' corrections."""

from __future__ import annotations

from pydantic import Field, model_validator

from app.api.schemas.common import Body, DbId, ItemId, Out
from app.models import ElementCorrection, Framework as FrameworkRow


class Element(Out):
    """One element of a framework, in order."""

    id: int
    name: str
    description: str
    examples: list[str]


class Framework(Out):
    """A framework; `builtin` ones (the NHS People Promise) are offered to every organisation."""

    id: int
    name: str
    description: str
    builtin: bool
    organisation_id: int | None
    elements: list[Element]

    @classmethod
    def of(cls, row: FrameworkRow) -> Framework:
        return cls(id=row.id, name=row.name, description=row.description, builtin=row.is_builtin,
                   organisation_id=row.organisation_id,
                   elements=[Element(id=e.id, name=e.name, description=e.description, examples=list(e.examples))
                             for e in row.elements])


class Frameworks(Out):
    """The frameworks the caller's organisations can use."""

    frameworks: list[Framework]


class Mapped(Out):
    """An element something maps onto: confidence 0 to 1; source "run" (computed) or "lead" (added by a lead)."""

    element_id: int
    confidence: float
    source: str = Field(json_schema_extra={"enum": ["run", "lead"]})


class ThemeMapping(Out):
    theme_id: int
    elements: list[Mapped]


class IdeaMapping(Out):
    idea_id: str
    elements: list[Mapped]


class Correction(Out):
    """A lead's correction: the element added to (added=true) or removed from one theme or one idea."""

    id: int
    element_id: int
    theme_id: int | None
    idea_id: str | None
    added: bool

    @classmethod
    def of(cls, row: ElementCorrection) -> Correction:
        return cls(id=row.id, element_id=row.element_id, theme_id=row.theme_id, idea_id=row.idea_id, added=row.added)


class Mappings(Out):
    """A conversation's current mappings onto its framework, and the leads' corrections kept by every run."""

    conversation_id: int
    framework: Framework
    themes: list[ThemeMapping]
    ideas: list[IdeaMapping]
    corrections: list[Correction]


class CorrectionBody(Body):
    """Add (added=true) or remove an element for one theme (theme_id) or one idea (idea_id) — exactly one of them."""

    theme_id: DbId | None = None
    idea_id: ItemId | None = None
    element_id: DbId
    added: bool

    @model_validator(mode="after")
    def _theme_or_idea(self) -> CorrectionBody:
        if (self.theme_id is None) == (self.idea_id is None):
            raise ValueError("needs exactly one of theme_id or idea_id")
        return self
