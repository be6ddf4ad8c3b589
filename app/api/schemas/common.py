"""Shared pieces of the API schemas: strict request bodies, bounded ids and text, the error shape."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timezone
from typing import Annotated, Any, overload

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from pydantic.json_schema import JsonDict

from app.urls import MAX_DB_INT

DbId = Annotated[int, Field(ge=1, le=MAX_DB_INT, strict=True, description="a database id")]
ItemId = Annotated[str, Field(min_length=1, max_length=64, description="an idea or comment id")]
Text = Annotated[str, Field(max_length=20_000)]
Short = Annotated[str, Field(max_length=1_000)]


class Body(BaseModel):
    """A JSON request body: types are strict (`true` is not an id, "12" is not a number); unknown fields are ignored."""

    model_config = ConfigDict(strict=True, extra="ignore")


class Query(BaseModel):
    """A query string: values arrive as text, so numbers are parsed, with bounds."""

    model_config = ConfigDict(extra="ignore")


class Out(BaseModel):
    """A response body, built field by field, so what is returned is what is documented."""


class ErrorDetail(BaseModel):
    """What went wrong, in words safe to show; `field` names the field at fault when there is one."""

    status: int
    message: str
    field: str | None = None
    fields: dict[str, Any] | None = None
    rows: list[dict[str, Any]] | None = None


class Error(BaseModel):
    """Every error from /api/v1: {"error": {"status": ..., "message": ...}}."""

    error: ErrorDetail


def _iso_datetime(value: Any) -> Any:
    """An ISO 8601 date-time string (any offset) as a naive UTC datetime, or None for null or ""."""
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise ValueError("must be an ISO 8601 date-time string.")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        if parsed.tzinfo is not None:
            parsed = parsed.astimezone(timezone.utc).replace(tzinfo=None)
    except (ValueError, OverflowError):  # OverflowError: 0001-01-01T00:00+14:00 has no UTC time
        raise ValueError("must be an ISO 8601 date-time, like 2026-12-01T09:00:00Z.") from None
    return parsed


def _iso_date(value: Any) -> Any:
    """A date like 2026-12-31, or None for null or ""."""
    if value in (None, ""):
        return None
    try:
        if isinstance(value, str):
            return date.fromisoformat(value)
    except ValueError:
        pass
    raise ValueError("must be a date like 2026-12-31.")


def one_of(values: Sequence[str]) -> JsonDict:
    """The JSON Schema `enum` for a text field whose values are listed in a constant."""
    return {"enum": [*values]}


WhenInput = Annotated[datetime | None, BeforeValidator(_iso_datetime)]
DateInput = Annotated[date | None, BeforeValidator(_iso_date)]


def iso_hour(value: datetime | None) -> str | None:
    """A time shown only to the hour, as the anonymity model requires."""
    return value.strftime("%Y-%m-%dT%H:00:00Z") if value else None


@overload
def iso_day(value: date | datetime) -> str: ...


@overload
def iso_day(value: date | datetime | None) -> str | None: ...


def iso_day(value: date | datetime | None) -> str | None:
    """A date (or the date of a time) as YYYY-MM-DD."""
    if value is None:
        return None
    return (value.date() if isinstance(value, datetime) else value).isoformat()


class Empty(Body):
    """A body with no fields (anything sent is ignored)."""
