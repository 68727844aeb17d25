"""End-to-end fixtures: plain HTTP against a deployed stack.

API_URL and API_KEY (and OTHER_TENANT_API_KEY for isolation) name any deployment, a real AWS one
included; without them the stack file written by the local stack is read (STACK_FILE, by default
.local/stack.json, the one `make run` writes; `make e2e` points it at its own fresh stack)."""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.support.handlers import ApiResponse

ROOT = Path(__file__).resolve().parents[2]


class Client:
    """One API key's view of the API, over HTTP."""

    def __init__(self, base_url: str, key: str | None) -> None:
        self.base_url = base_url.rstrip("/")
        self.session = requests.Session()
        if key:
            self.session.headers["X-API-Key"] = key

    def request(self, method: str, path: str, **kwargs: Any) -> ApiResponse:
        response = self.session.request(method, f"{self.base_url}{path}", timeout=30, **kwargs)
        body = response.json() if response.content else {}  # a 204 has none
        return ApiResponse(response.status_code, dict(response.headers), body)

    def create(self, body: dict[str, Any]) -> ApiResponse:
        return self.request("POST", "/v1/tickets", json=body)

    def list(self, **query: str) -> ApiResponse:
        return self.request("GET", "/v1/tickets", params=query)

    def get(self, reference: str, **query: str) -> ApiResponse:
        return self.request("GET", f"/v1/tickets/{reference}", params=query)

    def reply(self, reference: str, body: dict[str, Any], path_suffix: str = "") -> ApiResponse:
        return self.request("POST", f"/v1/tickets/{reference}{path_suffix}", json=body)

    def update(self, reference: str, body: dict[str, Any]) -> ApiResponse:
        return self.request("PATCH", f"/v1/tickets/{reference}", json=body)


@dataclass(frozen=True)
class Stack:
    api_url: str
    api_key: str
    keys: dict[str, str]
    endpoint: str | None = None  # the local emulator, whose email outbox can be read
    table_name: str | None = None  # the local stack's table, read through the emulator


def curl(
    stack: Stack, method: str, url_path: str, body: str | None = None, key: str | None = None, **headers: str
) -> requests.Response:
    """A request as a product's documented curl sends it: the path under our base URL, the key as its
    Bearer token, the body as the exact text given (JSON when there is one), and its other headers."""
    sent = {"Authorization": f"Bearer {key or stack.api_key}"} | headers
    if body is not None:
        sent["Content-Type"] = "application/json"
    return requests.request(
        method,
        f"{stack.api_url}{url_path}",
        headers=sent,
        data=body.encode() if body is not None else None,
        timeout=30,
    )


@pytest.fixture(scope="session")
def stack() -> Stack:
    if os.environ.get("API_URL") and os.environ.get("API_KEY"):
        keys = {"admin": os.environ["API_KEY"]}
        if os.environ.get("OTHER_TENANT_API_KEY"):
            keys["otherTenantAdmin"] = os.environ["OTHER_TENANT_API_KEY"]
        return Stack(os.environ["API_URL"], os.environ["API_KEY"], keys)
    stack_file = ROOT / os.environ.get("STACK_FILE", ".local/stack.json")
    if not stack_file.exists():
        pytest.fail(f"No stack: start one with `make run` (writes {stack_file}) or set API_URL and API_KEY")
    document = json.loads(stack_file.read_text())
    return Stack(
        document["apiUrl"],
        document["apiKey"],
        document.get("keys", {}),
        document.get("endpoint"),
        document.get("tableName"),
    )


@pytest.fixture(scope="session")
def api(stack: Stack) -> Client:
    return Client(stack.api_url, stack.api_key)


@pytest.fixture
def run_tag() -> str:
    """A tag no earlier run used: listing by it sees only this test's tickets, whatever the table holds."""
    return str(uuid.uuid4())
