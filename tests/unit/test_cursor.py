"""Cursors are opaque, tamper-evident and bound to the tenant and the query."""

from __future__ import annotations

import pytest

from tickets.errors import ValidationFailed
from tickets.logic.cursor import CursorCodec

CODEC = CursorCodec("unit-test-signing-key-0123456789")
POSITION = [{"PK": "TENANT#acme#LIST#ALL#ALL", "SK": "01JS3Q6Z8X9V2K4M7N5P0R1T2W"}, "done"]


def test_a_cursor_gives_back_the_position_it_was_made_from() -> None:
    cursor = CODEC.encode("acme", "list:abc", POSITION)
    assert CODEC.decode("acme", "list:abc", cursor) == POSITION


@pytest.mark.parametrize(
    ("tenant", "scope"), [("globex", "list:abc"), ("acme", "list:other")], ids=["other-tenant", "other-query"]
)
def test_a_cursor_is_refused_for_another_tenant_or_query(tenant: str, scope: str) -> None:
    cursor = CODEC.encode("acme", "list:abc", POSITION)
    with pytest.raises(ValidationFailed) as refused:
        CODEC.decode(tenant, scope, cursor)
    assert refused.value.details[0].field == "cursor"


def test_a_cursor_with_one_character_changed_is_refused() -> None:
    cursor = CODEC.encode("acme", "list:abc", POSITION)
    tampered = ("B" if cursor[3] != "B" else "C").join((cursor[:3], cursor[4:]))
    with pytest.raises(ValidationFailed):
        CODEC.decode("acme", "list:abc", tampered)


@pytest.mark.parametrize("garbage", ["", "abc", "abc.def", "!!!.???", "e30.AAAA"])
def test_garbage_is_refused_as_a_validation_error(garbage: str) -> None:
    with pytest.raises(ValidationFailed):
        CODEC.decode("acme", "list:abc", garbage)


def test_a_cursor_signed_with_another_key_is_refused() -> None:
    cursor = CursorCodec("another-deployment-key-987654321").encode("acme", "list:abc", POSITION)
    with pytest.raises(ValidationFailed):
        CODEC.decode("acme", "list:abc", cursor)
