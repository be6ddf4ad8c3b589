"""Errors raised by services, with messages safe to show to the person who caused them."""

from __future__ import annotations


class ServiceError(Exception):
    """Base class; `status` is the HTTP status a view should answer with."""

    status = 400

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(ServiceError):
    """The thing does not exist or this person may not see it (never say which)."""

    status = 404

    def __init__(self, message: str = "We could not find that.") -> None:
        super().__init__(message)


class InvalidInput(ServiceError):
    """The input breaks a rule about its meaning (length, allowed values)."""

    status = 422


class NotAllowedNow(ServiceError):
    """The action is valid in general but not in the conversation's current state."""

    status = 409


class Conflict(ServiceError):
    """The change would duplicate something that must be unique."""

    status = 409


class Busy(ServiceError):
    """The request met too much at once (e.g. the same person's other writes) and stored nothing: try again."""

    status = 503


class IdentifyingDetails(InvalidInput):
    """The text seems to contain names, contact details or ward numbers; the author must confirm."""

    def __init__(self, spans: list, what: str = "idea") -> None:
        found = "; ".join(f"“{s.text}” ({s.reason[0].lower() + s.reason[1:]})" for s in spans[:5])
        super().__init__(
            f"Your {what} may include details that could identify someone: {found}. "
            "Remove them, or confirm that you want to post it anyway.",
            field="body",
        )
        self.spans = spans
