"""Constrained field types shared by requests and domain models: every string has a maximum."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Annotated, Any, TypeVar

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    GetJsonSchemaHandler,
    PlainSerializer,
    StringConstraints,
    ValidationInfo,
    WithJsonSchema,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from tickets.ids import format_timestamp
from tickets.models.currencies import CURRENCY_CODES

# Control characters other than tab/newline/carriage return are never meaningful in text fields.
_TEXT_CONTROLS = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f"
_LINE_CONTROLS = r"\x00-\x1f\x7f"
_CONTROL_IN_TEXT = re.compile(f"[{_TEXT_CONTROLS}]")
_CONTROL_IN_LINE = re.compile(f"[{_LINE_CONTROLS}]")
# What str.isspace() calls white space above \x20, besides controls: text of nothing else is blank.
_WIDE_SPACE = r"\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"


def _pattern(controls: str, excluded: str = "") -> str:
    """Characters outside `controls` (and `excluded`), one of them at least neither white space nor a
    control: what _single_line (line controls) or _markdown (text controls) accept, written for the
    OpenAPI document (a unit test holds the two equal)."""
    visible = rf"[^\x00-\x20\x7f{_WIDE_SPACE}{excluded}]"
    return rf"^[^{controls}{excluded}]*{visible}[^{controls}{excluded}]*$"


LINE_PATTERN = _pattern(_LINE_CONTROLS)
# Neither "@", nor white space, nor a control (spelled out: regex engines differ on what \s means).
_EMAIL_PART = rf"[^@\x00-\x20\x7f{_WIDE_SPACE}]"
TEXT_PATTERN = _pattern(_TEXT_CONTROLS)
PATH_SEGMENT_PATTERN = _pattern(_LINE_CONTROLS, excluded="/")  # a line without "/" (see _no_slash)


@dataclass(frozen=True)
class NeverNull:
    """A PATCH field that may be left out but not sent as null: the document shows the field's own type,
    without the `null` its Python default (None: not sent) would add; a validator refuses null."""

    def __get_pydantic_json_schema__(
        self, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        schema = handler(core_schema)
        alternatives = [option for option in schema.get("anyOf", []) if option != {"type": "null"}]
        if len(alternatives) == 1:
            del schema["anyOf"]
            schema |= alternatives[0]
        return schema


@dataclass(frozen=True)
class DocumentedPattern:
    """Puts `pattern` in the type's JSON schema (the OpenAPI document) where a validator beside it
    enforces the same rule with a clearer message than a pattern mismatch."""

    pattern: str

    def __get_pydantic_json_schema__(
        self, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        schema = handler(core_schema)
        schema["pattern"] = self.pattern
        return schema


MARKDOWN_MAX_BYTES = 64 * 1024
METADATA_MAX_BYTES = 8 * 1024
METADATA_MAX_DEPTH = 5
MAX_TAGS = 10
MAX_ATTACHMENTS = 10
MAX_CHANNEL_SELLERS = 100


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


def unique_values(values: list[Any]) -> list[Any]:
    if len(set(values)) != len(values):
        raise ValueError("must not repeat a value")
    return values


def _as_utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("must carry a time zone, e.g. 2026-04-18T10:00:00Z")
    return value


# A "+02:00" offset sent unencoded in a query string arrives as " 02:00" (a "+" means a space there).
_OFFSET_AS_SPACE = re.compile(r"^(\d{4}-\d{2}-\d{2}T[\d:.]+) (\d{2}(?::?\d{2})?)$")


# A date and a time (RFC 3339: what the document's date-time format means): pydantic alone would also
# read a bare number as seconds since 1970.
_DATE_TIME_START = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt]")


def _query_date_time(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    value = _OFFSET_AS_SPACE.sub(r"\1+\2", value)
    if not _DATE_TIME_START.match(value):
        raise ValueError("must be a date and time with a time zone, e.g. 2026-04-18T10:00:00Z")
    return value


def _date_time_text(value: Any) -> Any:
    """A body's date-time is text: pydantic alone would also read a number as seconds since 1970."""
    if not isinstance(value, str) or not _DATE_TIME_START.match(value):
        raise ValueError("must be a date and time with a time zone, e.g. 2026-04-18T10:00:00Z")
    return value


def _utc_representable(value: datetime) -> datetime:
    """In UTC it is still a date of years 1-9999 (0001-01-01T00:00:00+05:00 would be the year 0)."""
    try:
        value.astimezone(UTC)
    except OverflowError:
        raise ValueError("must be a date and time of the years 1 to 9999, in UTC too") from None
    return value


def _json_number(value: Any) -> Any:
    """An amount is a JSON number: not a string of digits, nor a boolean (which Python counts as 1)."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise ValueError("must be a number")
    return value


def _four_places(value: Decimal) -> Decimal:
    """Amounts keep 4 decimal places (a float sent as 0.1 + 0.2 is 0.3000): rounded, half to even."""
    return value.quantize(_AMOUNT_STEP, rounding=ROUND_HALF_EVEN)


def _no_slash(value: str) -> str:
    if "/" in value:
        # API Gateway does not route an encoded slash (%2F) inside a path segment, so an id with one
        # could never be read or changed through its URL.
        raise ValueError("must not contain '/'")
    return value


def _iso_4217(value: str, info: ValidationInfo) -> str:
    # Checked on new input; a stored value was valid when written (items.py validates with STORED).
    if value not in CURRENCY_CODES and not (info.context or {}).get(STORED_CONTEXT_KEY):
        raise ValueError("must be an ISO 4217 currency code, e.g. EUR or USD")
    return value


def _whole_number(value: Any) -> Any:
    """JSON has one number type: 813.0 is the integer 813 to a JSON Schema "integer" (and to clients that
    write numbers as floats); 813.5, strings and booleans stay for the strict integer check to refuse."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _filter_values(values: list[Any] | None) -> list[Any] | None:
    """A filter's values are a set: the same values in any order or repeated are the same query."""
    if values is None:
        return None
    if not 1 <= len(values) <= MAX_FILTER_VALUES:
        raise ValueError(f"takes 1 to {MAX_FILTER_VALUES} values")
    return sorted(set(values))


@dataclass(frozen=True)
class _FilterValuesSchema:
    """The document's minItems/maxItems of a filter's values (checked by _filter_values: on the field's
    own list type, Powertools would not read the filter's repeated parameters as a list)."""

    def __get_pydantic_json_schema__(
        self, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        schema = handler(core_schema)
        for option in schema.get("anyOf", [schema]):
            if option.get("type") == "array":
                option |= {"minItems": 1, "maxItems": MAX_FILTER_VALUES}
        return schema


# Validation context of entities read back from the table (see _iso_4217).
STORED_CONTEXT_KEY = "stored"
STORED = {STORED_CONTEXT_KEY: True}


_LINE = (AfterValidator(_single_line), DocumentedPattern(LINE_PATTERN))
# Single-line strings of 1..N characters with no control characters, not blank.
Subject = Annotated[str, StringConstraints(min_length=1, max_length=1024), *_LINE]
ShortText = Annotated[str, StringConstraints(min_length=1, max_length=128), *_LINE]
Identifier = Annotated[str, StringConstraints(min_length=1, max_length=256), *_LINE]
Label = Annotated[str, StringConstraints(min_length=1, max_length=64), *_LINE]
LongLine = Annotated[str, StringConstraints(min_length=1, max_length=512), *_LINE]
# A customer's own id as it is created: also a path segment of /v1/customers/{externalId}.
CustomerExternalId = Annotated[Identifier, AfterValidator(_no_slash), DocumentedPattern(PATH_SEGMENT_PATTERN)]
AgentId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.@-]{1,128}$")]
# At most 64 KiB of UTF-8; the document's maxLength (in characters) is that limit's upper bound.
Markdown = Annotated[
    str,
    StringConstraints(min_length=1, max_length=MARKDOWN_MAX_BYTES),
    AfterValidator(_markdown),
    DocumentedPattern(TEXT_PATTERN),
]
Metadata = Annotated[dict[str, Any], AfterValidator(_bounded_metadata)]
# A tag is a UUID, kept in lower case.
TagId = Annotated[
    str,
    StringConstraints(pattern=r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$"),
    AfterValidator(str.lower),
]
TagIds = Annotated[
    list[TagId],
    AfterValidator(unique_values),
    Field(max_length=MAX_TAGS, json_schema_extra={"uniqueItems": True}),
]
# A seller's id on a sales channel (JTL SCX's sellerId, `^\w{1,50}$`): \w as JSON Schema reads it, ASCII.
ChannelSellerId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_]{1,50}$")]
ChannelSellerIds = Annotated[
    list[ChannelSellerId],
    AfterValidator(unique_values),
    Field(max_length=MAX_CHANNEL_SELLERS, json_schema_extra={"uniqueItems": True}),
]
Currency = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Z]{3}$"),
    AfterValidator(_iso_4217),
    Field(json_schema_extra={"enum": sorted(CURRENCY_CODES)}),
]
# Deliberately loose (one @, no spaces or controls, bounded); deliverability is SES's business.
Email = Annotated[
    str,
    StringConstraints(pattern=rf"^{_EMAIL_PART}{{1,64}}@{_EMAIL_PART}{{1,255}}$", max_length=320),
]
# What a real-time connection listens to: one ticket (`ticket:<id>`), the queue, or the caller's own.
MAX_TOPICS = 20
RealtimeTopic = Annotated[str, StringConstraints(pattern=r"^(queue|mine|ticket:[0-9A-Z]{26})$")]
RealtimeTopics = Annotated[
    list[RealtimeTopic],
    AfterValidator(unique_values),
    Field(min_length=1, max_length=MAX_TOPICS, json_schema_extra={"uniqueItems": True}),
]
MAX_ADMIN_EMAILS = 10
AdminEmails = Annotated[
    list[Email],
    AfterValidator(unique_values),
    Field(max_length=MAX_ADMIN_EMAILS, json_schema_extra={"uniqueItems": True}),
]
# After an integer's bounds, e.g. Annotated[int, Field(strict=True, ge=0), WHOLE_NUMBER] (the bounds go
# first: after a validator they would not reach the JSON schema as minimum/maximum).
WHOLE_NUMBER = BeforeValidator(_whole_number)
# An absolute http(s) URL: a scheme, a host and what follows, no white space or controls.
URL_PATTERN = r"^[Hh][Tt][Tt][Pp][Ss]?://[^\x00-\x20\x7f/?#@]+(?:[/?#][^\x00-\x20\x7f]*)?$"
Url = Annotated[str, StringConstraints(pattern=URL_PATTERN, max_length=2048)]
_AMOUNT_STEP = Decimal("0.0001")
MAX_AMOUNT = 10**12  # a trillion: exact as a JSON number, in any client's floats
Amount = Annotated[
    Decimal,
    BeforeValidator(_json_number),
    Field(ge=0, le=MAX_AMOUNT, allow_inf_nan=False),
    AfterValidator(_four_places),
    WithJsonSchema(
        {
            "type": "number",
            "minimum": 0,
            "maximum": MAX_AMOUNT,
            "description": "kept to 4 decimal places (rounded half to even)",
        }
    ),
    PlainSerializer(float, return_type=float, when_used="json"),
]
Timestamp = Annotated[datetime, AfterValidator(_as_utc), PlainSerializer(format_timestamp, return_type=str)]
# A timestamp sent in a body (RFC 3339 text).
DateTime = Annotated[Timestamp, BeforeValidator(_date_time_text), AfterValidator(_utc_representable)]
# A timestamp in a query string (where an unencoded "+" of the offset has become a space).
QueryTimestamp = Annotated[Timestamp, BeforeValidator(_query_date_time)]


def split_csv(value: Any) -> Any:
    """Query values arrive as 'A,B' or repeated (?status=A&status=B); both become one list."""
    if value is None:
        return None
    items = value if isinstance(value, list) else [value]
    return [part.strip() for item in items for part in str(item).split(",") if part.strip()]


CsvList = BeforeValidator(split_csv)
ValueT = TypeVar("ValueT")
MAX_FILTER_VALUES = 5
# A filter that takes several values: "A,B" or repeated, in any order, repeats ignored.
FilterValues = Annotated[list[ValueT] | None, CsvList, AfterValidator(_filter_values), _FilterValuesSchema()]
