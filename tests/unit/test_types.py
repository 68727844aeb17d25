"""The OpenAPI document states exactly the rules that validate: for each text type, the pattern and
lengths of its JSON schema accept a string exactly when the type's validators do."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from tickets.models import types

# Characters each rule tells apart: controls (line breaks and tabs among them), white space of every
# kind, a slash, and ordinary letters.
ALPHABET = st.sampled_from(
    [
        "a",
        "Z",
        "é",
        "字",
        "/",
        " ",
        "\t",
        "\n",
        "\r",
        "\x00",
        "\x1b",
        "\x1f",
        "\x7f",
        "\x85",
        "\xa0",
        "\u2028",
        "\u3000",
        "\ufeff",
    ]
)
TEXT_TYPES = {
    "Subject": types.Subject,
    "ShortText": types.ShortText,
    "Identifier": types.Identifier,
    "Label": types.Label,
    "LongLine": types.LongLine,
    "CustomerExternalId": types.CustomerExternalId,
    "Markdown": types.Markdown,
    "Email": types.Email,
}


def documented(schema: dict[str, Any], value: str) -> bool:
    """Whether the JSON schema (pattern, minLength, maxLength) admits `value`."""
    if len(value) < schema.get("minLength", 0) or len(value) > schema.get("maxLength", len(value)):
        return False
    # JSON Schema's closing "$" is the end of the string; Python's also matches before a final newline.
    return re.search(schema["pattern"].removesuffix("$") + r"\Z", value) is not None


def validates(adapter: TypeAdapter[Any], value: str) -> bool:
    try:
        adapter.validate_python(value)
    except ValidationError:
        return False
    return True


@pytest.mark.parametrize("name", list(TEXT_TYPES))
@settings(max_examples=400, deadline=None)
@given(text=st.text(ALPHABET, max_size=8), email_like=st.booleans())
def test_each_text_type_accepts_exactly_what_its_documented_schema_admits(
    name: str, text: str, email_like: bool
) -> None:
    # Given a text type, its JSON schema, and any short string of the characters its rules tell apart
    adapter: TypeAdapter[Any] = TypeAdapter(TEXT_TYPES[name])
    schema = adapter.json_schema()
    value = f"{text}@{text}" if email_like else text
    # Then the type's validators accept it exactly when the documented schema admits it
    assert validates(adapter, value) == documented(schema, value), (name, value, schema)


def test_the_document_states_the_lengths_and_a_pattern_of_every_text_type() -> None:
    for name, text_type in TEXT_TYPES.items():
        schema = TypeAdapter(text_type).json_schema()
        assert {"pattern", "maxLength"} <= set(schema), name
