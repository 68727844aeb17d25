"""What every error response must look like, checked the same way by every test."""

from __future__ import annotations

import json
from datetime import datetime

from tests.support.handlers import ApiResponse


def names_field(response: ApiResponse, field: str) -> bool:
    """True when error.details names `field` itself or a part of it (tagIds -> tagIds.0)."""
    return any(name == field or name.startswith(f"{field}.") for name in response.error_fields())


def assert_error(response: ApiResponse, status: int, code: str, *fields: str | tuple[str, ...]) -> None:
    """The error envelope: success false, a code, a message, details naming each field (a tuple: any
    one of those names), an ISO-8601 timestamp, and nothing of the server's internals."""
    assert response.status == status, response.json
    body = response.json
    assert body["success"] is False
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    assert isinstance(body["error"]["details"], list)
    for detail in body["error"]["details"]:
        assert set(detail) == {"field", "message"}
    datetime.fromisoformat(body["timestamp"].replace("Z", "+00:00"))
    raw = json.dumps(body)
    assert "Traceback" not in raw
    assert 'File "' not in raw
    for field in fields:
        choices = field if isinstance(field, tuple) else (field,)
        assert any(names_field(response, choice) for choice in choices), (
            f"{choices} not in {response.error_fields()}"
        )
