"""The API key authorizer and the admin CLI that makes keys: who gets in, as whom, and for how long."""

from __future__ import annotations

import copy
import json
import logging
import sys
from typing import Any

import boto3
import pytest

from tests.support.events import EVENTS
from tests.support.handlers import LambdaContext, handler_module
from tickets import admin
from tickets.api.authorizer import forget_cached_keys
from tickets.observability import logger

with (EVENTS / "authorizer_request.json").open() as handle:
    REQUEST = json.load(handle)


def authorize(headers: dict[str, str]) -> dict[str, Any]:
    event = copy.deepcopy(REQUEST)
    event["headers"] = {
        name: value for name, value in event["headers"].items() if name != "X-API-Key"
    } | headers
    event["multiValueHeaders"] = {name: [value] for name, value in event["headers"].items()}
    result: dict[str, Any] = handler_module("authorizer").lambda_handler(event, LambdaContext("authorizer"))
    return result


def run_admin(table: str, *arguments: str, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    assert admin.main(["--table", table, *arguments]) == 0, capsys.readouterr().err
    output: dict[str, Any] = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    return output


def effect(result: dict[str, Any]) -> str:
    statements = result["policyDocument"]["Statement"]
    assert len(statements) == 1, statements
    return str(statements[0]["Effect"])


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    forget_cached_keys()


class _CurrentStdout:
    """Whatever sys.stdout is when a line is written (capsys' buffer during a test)."""

    def write(self, text: str) -> int:
        return sys.stdout.write(text)

    def flush(self) -> None:
        sys.stdout.flush()


@pytest.fixture(autouse=True)
def _logs_in_capsys(monkeypatch: pytest.MonkeyPatch) -> None:
    """Powertools' handler keeps the sys.stdout of import time; its lines go to capsys instead."""
    handler = logger.registered_handler
    assert isinstance(handler, logging.StreamHandler)
    monkeypatch.setattr(handler, "stream", _CurrentStdout())


@pytest.fixture
def admin_key(table: str, seed: Any, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    return run_admin(
        table, "create-key", "--tenant", "acme", "--role", "admin", "--name", "ops", capsys=capsys
    )


@pytest.mark.parametrize(
    "header",
    [
        lambda key: {"X-API-Key": key},
        lambda key: {"x-api-key": key},
        lambda key: {"Authorization": f"Bearer {key}"},
        lambda key: {"authorization": f"bearer {key}"},
    ],
    ids=["x-api-key", "x-api-key-lower-case", "bearer", "bearer-lower-case"],
)
def test_a_valid_key_in_either_header_is_allowed_with_its_tenant_and_role(
    admin_key: dict[str, Any], header: Any
) -> None:
    # When the admin key is presented in one of the accepted headers
    result = authorize(header(admin_key["key"]))
    # Then every route is allowed and the context names the tenant, role and key
    assert effect(result) == "Allow"
    assert result["context"] == {"tenantId": "acme", "role": "admin", "keyId": admin_key["apiKey"]["id"]}
    assert result["principalId"] == admin_key["apiKey"]["id"]


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-API-Key": ""},
        {"X-API-Key": "tk_live_" + "A" * 43},
        {"X-API-Key": "not-a-key"},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": "Bearer"},
    ],
    ids=["no-header", "empty", "well-formed-but-unknown", "malformed", "basic-auth", "bearer-without-key"],
)
def test_a_missing_unknown_or_malformed_key_is_denied_for_every_route_as_nobody(
    admin_key: dict[str, Any], headers: dict[str, str]
) -> None:
    # When a request carries no key we know
    result = authorize(headers)
    # Then it is denied (template.yaml answers the ACCESS_DENIED as 401 UNAUTHORIZED), naming nobody
    assert effect(result) == "Deny"
    assert result["policyDocument"]["Statement"][0]["Resource"] == [
        "arn:aws:execute-api:us-east-1:123456789012:abc123/dev/*/*"
    ]
    assert result["principalId"] == "anonymous"
    assert "context" not in result
    assert "usageIdentifierKey" not in result


@pytest.mark.parametrize("headers", [{}, {"X-API-Key": "tk_live_" + "A" * 43}], ids=["no-key", "unknown-key"])
def test_a_denial_logs_one_info_line_and_no_traceback(
    admin_key: dict[str, Any], headers: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    # Given nothing logged yet
    capsys.readouterr()
    # When a request is denied
    authorize(headers)
    # Then the authorizer wrote one INFO line, and nothing else (no traceback, no ERROR)
    logged = capsys.readouterr()
    lines = logged.out.splitlines()
    assert len(lines) == 1, logged.out
    line = json.loads(lines[0])
    assert line["level"] == "INFO"
    assert line["message"].startswith("Denied: ")
    assert "exception" not in line
    assert logged.err == ""


def test_an_agent_key_carries_its_agent(table: str, seed: Any, capsys: pytest.CaptureFixture[str]) -> None:
    created = run_admin(
        table, "create-key", "--tenant", "acme", "--role", "agent", "--name", "n1", "--agent-id", "agent_n1",
        capsys=capsys,
    )  # fmt: skip
    result = authorize({"X-API-Key": created["key"]})
    assert result["context"]["role"] == "agent"
    assert result["context"]["agentId"] == "agent_n1"


def test_a_revoked_key_stops_working_once_the_cached_lookup_expires(
    table: str, admin_key: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a key that was used (so its lookup is cached)
    authorize({"X-API-Key": admin_key["key"]})
    # When it is revoked
    run_admin(table, "revoke-key", "--tenant", "acme", "--key-id", admin_key["apiKey"]["id"], capsys=capsys)
    # Then it still works while the cached lookup lasts (AUTH_CACHE_TTL_SECONDS), and not after
    assert effect(authorize({"X-API-Key": admin_key["key"]})) == "Allow"
    forget_cached_keys()
    denied = authorize({"X-API-Key": admin_key["key"]})
    assert effect(denied) == "Deny"
    assert denied["principalId"] == admin_key["apiKey"]["id"]


def test_keys_are_never_logged_or_listed(
    table: str, admin_key: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    authorize({"X-API-Key": admin_key["key"]})
    wrong = admin_key["key"][:-1] + ("B" if admin_key["key"][-1] != "B" else "C")
    assert effect(authorize({"X-API-Key": wrong})) == "Deny"
    logs = capsys.readouterr()
    assert [json.loads(line)["message"] for line in logs.out.splitlines()][-2:] == [
        "Allowed",
        "Denied: unknown or revoked key",
    ]
    listed = run_admin(table, "list-keys", "--tenant", "acme", capsys=capsys)
    assert admin_key["key"] not in logs.out + logs.err
    assert admin_key["key"][8:20] not in json.dumps(listed)
    assert [key["id"] for key in listed["apiKeys"]] == [admin_key["apiKey"]["id"]]


def test_creating_an_existing_tenant_changes_nothing(
    table: str, seed: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given tenant acme exists (prefix INV)
    again = run_admin(
        table, "create-tenant", "--id", "acme", "--name", "Other", "--prefix", "XYZ", capsys=capsys
    )
    assert again["created"] is False
    created = run_admin(
        table, "create-tenant", "--id", "globex", "--name", "Globex", "--prefix", "GLX", capsys=capsys
    )
    assert created["created"] is True
    assert created["tenant"] == {
        "id": "globex",
        "name": "Globex",
        "ticketPrefix": "GLX",
        "senderEmail": None,
        "plan": {"monthlyTicketQuota": None},
        "usageKeyId": None,
        "channelSellerIds": [],
        "adminEmails": [],
    }


def test_an_agent_key_needs_an_agent_and_only_an_agent_key_takes_one(table: str, seed: Any) -> None:
    with pytest.raises(SystemExit):
        admin.main(["--table", table, "create-key", "--tenant", "acme", "--role", "agent", "--name", "x"])
    with pytest.raises(SystemExit):
        admin.main(
            [
                "--table",
                table,
                "create-key",
                "--tenant",
                "acme",
                "--role",
                "admin",
                "--name",
                "x",
                "--agent-id",
                "a",
            ]
        )


def test_a_tenant_gets_its_own_usage_key_and_its_keys_name_it_for_rate_limits(
    table: str, seed: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given the stack's per-tenant usage plan
    apigateway = boto3.client("apigateway")
    plan_id = apigateway.create_usage_plan(name="per-tenant", throttle={"rateLimit": 50, "burstLimit": 100})[
        "id"
    ]
    # When a tenant is created with it, and a key for the tenant
    tenant = ["create-tenant", "--id", "initech", "--name", "Initech", "--prefix", "INI"]
    created = run_admin(table, "--usage-plan-id", plan_id, *tenant, capsys=capsys)
    key = run_admin(
        table, "create-key", "--tenant", "initech", "--role", "integration", "--name", "x", capsys=capsys
    )
    # Then the tenant's usage key is an API Gateway key in the plan (its own rate-limit bucket)...
    usage_key_id = created["tenant"]["usageKeyId"]
    assert [k["id"] for k in apigateway.get_usage_plan_keys(usagePlanId=plan_id)["items"]] == [usage_key_id]
    value = apigateway.get_api_key(apiKey=usage_key_id, includeValue=True)["value"]
    # ...which the authorizer names for every request with one of the tenant's keys
    assert authorize({"X-API-Key": key["key"]})["usageIdentifierKey"] == value
    assert "usageKey" not in created["tenant"]
    assert "usageKey" not in key["apiKey"]


def test_ensure_usage_key_gives_an_existing_tenant_one_once(
    table: str, seed: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    apigateway = boto3.client("apigateway")
    plan_id = apigateway.create_usage_plan(name="per-tenant")["id"]
    first = run_admin(
        table, "--usage-plan-id", plan_id, "ensure-usage-key", "--tenant", "acme", capsys=capsys
    )
    again = run_admin(
        table, "--usage-plan-id", plan_id, "ensure-usage-key", "--tenant", "acme", capsys=capsys
    )
    assert first["tenant"]["usageKeyId"] == again["tenant"]["usageKeyId"]
    assert len(apigateway.get_usage_plan_keys(usagePlanId=plan_id)["items"]) == 1
