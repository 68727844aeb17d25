"""Constrained field types shared by requests and domain models: every string has a maximum."""

from __future__ import annotations

import json
import re
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, PlainSerializer, StringConstraints

from tickets.ids import format_timestamp

# Control characters other than tab/newline/carriage return are never meaningful in text fields.
_CONTROL_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CONTROL_IN_LINE = re.compile(r"[\x00-\x1f\x7f]")

MARKDOWN_MAX_BYTES = 64 * 1024
METADATA_MAX_BYTES = 8 * 1024
METADATA_MAX_DEPTH = 5
MAX_TAGS = 10
MAX_ATTACHMENTS = 10


def _single_line(value: str) -> str:
    if _CONTROL_IN_LINE.search(value):
        raise ValueError("must not contain control characters or line breaks")
    if not value.strip():
        raise ValueError("must not be blank")
    return value


def _markdown(value: str) -> str:
    if _CONTROL_IN_TEXT.search(value):
        raise ValueError("must not contain control characters")
    if not value.strip():
        raise ValueError("must not be blank")
    if len(value.encode("utf-8")) > MARKDOWN_MAX_BYTES:
        raise ValueError(f"must be at most {MARKDOWN_MAX_BYTES} bytes of UTF-8")
    return value


def _nested_deeper_than(value: Any, limit: int) -> bool:
    """Whether objects and arrays nest more than `limit` levels ({} is 1, {"a": []} is 2). Level by
    level rather than recursively, so a hostile body cannot exhaust the stack (a 500)."""
    level = [value] if isinstance(value, dict | list) else []
    for _ in range(limit):
        children = (item for node in level for item in (node.values() if isinstance(node, dict) else node))
        level = [item for item in children if isinstance(item, dict | list)]
    return bool(level)


def _bounded_metadata(value: dict[str, Any]) -> dict[str, Any]:
    if _nested_deeper_than(value, METADATA_MAX_DEPTH):
        raise ValueError(f"must be nested at most {METADATA_MAX_DEPTH} levels deep")
    try:
        encoded = json.dumps(value, allow_nan=False, separators=(",", ":"))
    except ValueError as error:
        raise ValueError("must hold only finite numbers") from error
    try:
        # Keys and values may be any text, but text: a lone surrogate ("\ud800") cannot be stored.
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError as error:
        raise ValueError("must hold only valid Unicode text (no lone surrogates)") from error
    if len(encoded.encode("utf-8")) > METADATA_MAX_BYTES:
        raise ValueError(f"must be at most {METADATA_MAX_BYTES} bytes as JSON")
    return value


def _unique(values: list[Any]) -> list[Any]:
    if len(set(values)) != len(values):
        raise ValueError("must not repeat a value")
    return values


def _as_utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("must carry a time zone, e.g. 2026-04-18T10:00:00Z")
    return value


# Single-line strings of 1..N characters with no control characters.
Subject = Annotated[str, StringConstraints(min_length=1, max_length=1024), AfterValidator(_single_line)]
ShortText = Annotated[str, StringConstraints(min_length=1, max_length=128), AfterValidator(_single_line)]
Identifier = Annotated[str, StringConstraints(min_length=1, max_length=256), AfterValidator(_single_line)]
Label = Annotated[str, StringConstraints(min_length=1, max_length=64), AfterValidator(_single_line)]
LongLine = Annotated[str, StringConstraints(min_length=1, max_length=512), AfterValidator(_single_line)]
AgentId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.@-]{1,128}$")]
Markdown = Annotated[str, StringConstraints(min_length=1), AfterValidator(_markdown)]
Metadata = Annotated[dict[str, Any], AfterValidator(_bounded_metadata)]
TagIds = Annotated[
    list[Annotated[str, StringConstraints(pattern=r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")]],
    AfterValidator(lambda tags: _unique([tag.lower() for tag in tags])),
    Field(max_length=MAX_TAGS),
]
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
# Deliberately loose (one @, no spaces, bounded); deliverability is SES's business.
Email = Annotated[
    str,
    StringConstraints(pattern=r"^[^@\s]{1,64}@[^@\s]{1,255}$", max_length=320),
    AfterValidator(_single_line),
]
Amount = Annotated[
    Decimal,
    Field(ge=0, max_digits=18, decimal_places=4, allow_inf_nan=False),
    PlainSerializer(float, return_type=float, when_used="json"),
]
Timestamp = Annotated[datetime, AfterValidator(_as_utc), PlainSerializer(format_timestamp, return_type=str)]


def split_csv(value: Any) -> Any:
    """Query values arrive as 'A,B' or repeated (?status=A&status=B); both become one list."""
    if value is None:
        return None
    items = value if isinstance(value, list) else [value]
    return [part.strip() for item in items for part in str(item).split(",") if part.strip()]


CsvList = BeforeValidator(split_csv)
