"""Fuzzing over HTTP from the OpenAPI document (docs/openapi.json) with schemathesis: whatever the
request, valid or not, the stack never answers with a 5xx; every answer has a status, media type and
body the document gives for the operation; and every 4xx is the error envelope.

Requests are generated for every operation, from the document's schemas (valid ones, and ones that
break them), and sent through API Gateway, the authorizer and the functions. They run as the admin of
the second tenant (globex), so that no other end-to-end test sees what they write; path ids are often
real ones (a ticket of the run, its number, a seeded customer and agent), so that writes reach the
store rather than stopping at a 404. Bounded: 25 examples per operation (about 300 requests, 35 s),
no shrinking (a failure shows the request as a curl command). In CI (CI=true) Hypothesis derandomizes:
the same requests every run."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from schemathesis import checks as checks_of

from tests.e2e.conftest import ROOT, Client, Stack
from tickets.errors import ErrorCode

SCHEMA = schemathesis.openapi.from_path(ROOT / "docs" / "openapi.json")
# The document says a key is sent in one of two headers; the key is ours, not a generated one.
SCHEMA.config.generation.update(with_security_parameters=False)
EXAMPLES_PER_OPERATION = 25


@dataclass(frozen=True)
class Targets:
    """Real values for path parameters and ids in bodies, in the fuzzed tenant."""

    key: str
    path: dict[str, list[str]]
    customers: list[str]


@pytest.fixture(scope="module")
def targets(stack: Stack) -> Targets:
    """A ticket of globex to aim at (by id and by number), with its seeded customers and agents."""
    key = stack.keys.get("otherTenantAdmin")
    if key is None:
        pytest.skip("fuzzing writes: it needs a second tenant's admin key (OTHER_TENANT_API_KEY)")
    created = Client(stack.api_url, key).create({"customerExternalId": "user_42", "subject": "Fuzz target"})
    assert created.status == 201, created.json
    ticket = created.data
    return Targets(
        key,
        {
            "ticketId": [ticket["id"], ticket["ticketNumber"], ticket["id"].lower()],
            "externalId": ["user_42", "user_7"],
            "agentId": ["agent_n1", "agent_n2"],
        },
        ["user_42", "user_7"],
    )


def aim(case: Any, data: st.DataObject, targets: Targets) -> None:
    """Half of the time, a path id is a real one, a create names a real customer, and an Idempotency-Key
    is one never used before."""
    for name, values in targets.path.items():
        if name in (case.path_parameters or {}) and data.draw(st.booleans(), label=f"real {name}"):
            case.path_parameters[name] = data.draw(st.sampled_from(values), label=name)
    if "Idempotency-Key" in (case.headers or {}) and data.draw(st.booleans(), label="fresh key"):
        # A generated key is reused by later examples (409 IDEMPOTENCY_KEY_REUSED): often, a fresh one.
        case.headers["Idempotency-Key"] = str(uuid.uuid4())
    body = case.body
    if (
        isinstance(body, dict)
        and "customerExternalId" in body
        and data.draw(st.booleans(), label="real customer")
    ):
        body["customerExternalId"] = data.draw(st.sampled_from(targets.customers), label="customer")


# Answered by API Gateway itself (template.yaml GatewayResponses) as well as by the functions.
GATEWAY_CODES = {"UNAUTHORIZED", "FORBIDDEN", "ROUTE_NOT_FOUND", "PAYLOAD_TOO_LARGE", "RATE_LIMITED"}
# API Gateway's $context.requestTime (18/Apr/2026:10:00:00 +0000); MiniStack leaves it unfilled.
_REQUEST_TIME = re.compile(r"^\d{2}/[A-Z][a-z]{2}/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4}$")


def _iso_8601(value: object) -> bool:
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00")).tzinfo is not None
    except ValueError:
        return False


def _gateway_time(value: object) -> bool:
    return isinstance(value, str) and (bool(_REQUEST_TIME.match(value)) or value == "$context.requestTime")


def envelope_problems(status: int, body: Any) -> list[str]:
    """What is wrong with a 4xx body as the error envelope (nothing: an empty list)."""
    if not isinstance(body, dict):
        return [f"the body is not a JSON object: {body!r}"]
    problems = []
    if set(body) != {"success", "error", "timestamp"}:
        problems.append(f"keys {sorted(body)}")
    if body.get("success") is not False:
        problems.append("success is not false")
    error = body.get("error")
    if not isinstance(error, dict) or set(error) != {"code", "message", "details"}:
        return [*problems, f"error is {error!r}"]
    if error["code"] not in set(ErrorCode):
        problems.append(f"unknown code {error['code']!r}")
    if not isinstance(error["message"], str) or not error["message"]:
        problems.append("no message")
    details = error["details"]
    if not isinstance(details, list) or any(
        not isinstance(detail, dict) or set(detail) != {"field", "message"} for detail in details
    ):
        problems.append(f"details {details!r}")
    timestamp = body.get("timestamp")
    if not _iso_8601(timestamp) and not (error["code"] in GATEWAY_CODES and _gateway_time(timestamp)):
        problems.append(f"timestamp {timestamp!r} is not ISO-8601")
    if not 400 <= status < 500:
        problems.append(f"status {status}")
    return problems


@SCHEMA.parametrize()
@SCHEMA.given(data=st.data())
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_fuzzed_requests_get_no_5xx_only_documented_answers_and_every_4xx_in_the_envelope(
    case: Any, data: st.DataObject, stack: Stack, targets: Targets
) -> None:
    # Given a request generated from the document (valid or not), often aimed at real ids
    aim(case, data, targets)

    # When it is sent to the stack as the fuzzed tenant's admin
    response = case.call(base_url=stack.api_url, headers={"X-API-Key": targets.key}, timeout=30)

    # Then it is not a 5xx; its status, media type and body are the ones the document gives (but for the
    # timestamp of API Gateway's own errors); and a 4xx is the error envelope
    try:
        body = response.json()
    except ValueError:
        body = response.text
    from_gateway = isinstance(body, dict) and _gateway_time(body.get("timestamp"))
    checks = [
        checks_of.not_a_server_error,
        checks_of.status_code_conformance,
        checks_of.content_type_conformance,
        *([] if from_gateway else [checks_of.response_schema_conformance]),
    ]
    case.validate_response(response, checks=checks)
    if 400 <= response.status_code < 500:
        problems = envelope_problems(response.status_code, body)
        assert not problems, f"{problems}\n{response.status_code} {body}\n{case.as_curl_command()}"


class Undescribed(NamedTuple):
    method: str
    path: str
    headers: dict[str, str] | None  # None: the fuzzed tenant's key
    status: int


# Requests the document does not describe, which API Gateway answers itself (template.yaml
# GatewayResponses) or which no function accepts.
UNDESCRIBED = {
    "no key": Undescribed("GET", "/v1/tickets", {}, 401),
    "an unknown key": Undescribed("GET", "/v1/tickets", {"X-API-Key": "tk_live_" + "x" * 43}, 401),
    "a Bearer token that is no key": Undescribed(
        "GET", "/v1/tickets", {"Authorization": "Bearer ' OR 1=1 --"}, 401
    ),
    "an unknown route": Undescribed("GET", "/v1/passwords", None, 404),
    "a route under no version": Undescribed("GET", "/tickets", None, 404),
    "DELETE of a ticket": Undescribed("DELETE", "/v1/tickets/GLX-1", None, 404),
    "PUT of the ticket list": Undescribed("PUT", "/v1/tickets", None, 404),
    "a traversal out of the API": Undescribed("GET", "/v1/tickets/..%2F..%2F..%2Fetc%2Fpasswd", None, 404),
}


@pytest.mark.parametrize("request_", UNDESCRIBED.values(), ids=UNDESCRIBED)
def test_requests_the_document_does_not_describe_get_a_4xx_in_the_error_envelope(
    stack: Stack, targets: Targets, request_: Undescribed
) -> None:
    # Given a request no operation of the document describes
    headers = {"X-API-Key": targets.key} if request_.headers is None else request_.headers

    # When it is sent to the stack
    response = requests.request(
        request_.method, f"{stack.api_url}{request_.path}", headers=headers, timeout=30
    )

    # Then it is the expected 4xx, in the error envelope
    body = response.json()
    assert response.status_code == request_.status, body
    assert envelope_problems(response.status_code, body) == []
