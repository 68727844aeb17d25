"""Opaque, tamper-evident page cursors, bound to the tenant and the query that produced them."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from typing import Any

from tickets.errors import FieldIssue, ValidationFailed

_VERSION = 1
_MAC_BYTES = 16


def _b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def invalid_cursor(field: str) -> ValidationFailed:
    return ValidationFailed(
        "The cursor is invalid, or belongs to another query",
        [FieldIssue(field, "use the cursor returned by the previous page of the same query")],
    )


class CursorCodec:
    def __init__(self, signing_key: str) -> None:
        self._key = signing_key.encode("utf-8")

    def _mac(self, tenant_id: str, scope: str, payload: bytes) -> bytes:
        message = b"\x00".join((tenant_id.encode(), scope.encode(), payload))
        return hmac.new(self._key, message, hashlib.sha256).digest()[:_MAC_BYTES]

    def encode(self, tenant_id: str, scope: str, position: Any) -> str:
        """`scope` names the query (filters and sort); `position` is JSON data."""
        payload = json.dumps({"v": _VERSION, "p": position}, separators=(",", ":")).encode()
        return f"{_b64encode(payload)}.{_b64encode(self._mac(tenant_id, scope, payload))}"

    def decode(self, tenant_id: str, scope: str, cursor: str, field: str = "cursor") -> Any:
        invalid = invalid_cursor(field)
        body, dot, mac = cursor.partition(".")
        if not dot:
            raise invalid
        try:
            payload, signature = _b64decode(body), _b64decode(mac)
        except (binascii.Error, ValueError):
            raise invalid from None
        if not hmac.compare_digest(signature, self._mac(tenant_id, scope, payload)):
            raise invalid
        document = json.loads(payload)
        if not isinstance(document, dict) or document.get("v") != _VERSION:
            raise invalid
        return document["p"]
