"""Fuzzing over HTTP from the OpenAPI document (docs/openapi.json) with schemathesis, every phase and
every check (`st run -c all`): whatever the request, valid or not, the stack never answers with a 5xx;
a request the document allows is never refused as invalid, and one it does not allow is refused; a
method the document does not declare is a 405 with `Allow`; every answer has a status, media type,
headers and body the document gives for the operation; and every 4xx is the error envelope.

Requests are generated for every operation, from the document's schemas (valid ones, and ones that
break them), and sent through API Gateway, the authorizer and the functions. They run as the admin of
the second tenant (globex), so that no other end-to-end test sees what they write; path ids are often
real ones (tests/e2e/schemathesis_hooks.py). Bounded: FUZZ_EXAMPLES (25) examples per operation and
phase, no shrinking; a fixed seed (FUZZ_SEED), so a red run is reproducible."""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import pytest
import requests

from tests.e2e.conftest import ROOT, Client, Stack
from tests.e2e.envelope import envelope_problems

EXAMPLES_PER_OPERATION = int(os.environ.get("FUZZ_EXAMPLES", "25"))
HOOKS = "tests.e2e.schemathesis_hooks"


@dataclass(frozen=True)
class Targets:
    """Real values for path parameters and ids in bodies, in the fuzzed tenant."""

    key: str
    path: dict[str, list[str]]
    customers: list[str]
    sellers: list[str]


@pytest.fixture(scope="module")
def targets(stack: Stack) -> Targets:
    """A ticket of globex to aim at (by id and by number), with its seeded customers, agents and channel
    seller (tests/support/local_stack.py)."""
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
        ["4712"],
    )


def test_schemathesis_with_every_check_finds_nothing_the_document_does_not_allow(
    stack: Stack, targets: Targets, tmp_path: Path
) -> None:
    # Given the document, and the fuzzed tenant's key and real ids
    environment = os.environ | {
        "SCHEMATHESIS_HOOKS": HOOKS,
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "layers" / "shared")]),
        "FUZZ_TARGETS": json.dumps(
            {"path": targets.path, "customers": targets.customers, "sellers": targets.sellers}
        ),
    }

    # When schemathesis runs every phase and every check against the stack: its own, the error
    # envelope, and the response schemas as AWS fills them in (schemathesis_hooks.py)
    command = [
        str(ROOT / ".venv" / "bin" / "st"),
        "--config-file",
        str(ROOT / "tests" / "e2e" / "schemathesis.toml"),
        "run",
        str(ROOT / "docs" / "openapi.json"),
        f"--url={stack.api_url}",
        f"--header=X-API-Key: {targets.key}",
        "--checks=all",
        "--exclude-checks=response_schema_conformance",
        f"--max-examples={EXAMPLES_PER_OPERATION}",
        f"--seed={os.environ.get('FUZZ_SEED', '20261201')}",
        "--no-shrink",
        # One worker: hypothesis parses lambdas with ast.parse, which CPython 3.11 cannot do from two
        # threads at once ("AST constructor recursion depth mismatch", a schemathesis runtime error).
        "--workers=1",
        "--request-timeout=30",
    ]
    run = subprocess.run(command, env=environment, capture_output=True, text=True, check=False, cwd=tmp_path)

    # Then no request broke a check: no 5xx, no schema-valid request refused, no invalid one accepted,
    # no undeclared method answered otherwise than 405 with Allow, every answer as documented, every
    # 4xx the error envelope
    assert run.returncode == 0, _failures(run.stdout) + run.stderr[-5000:]


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
    "PUT of a ticket": Undescribed("PUT", "/v1/tickets/GLX-1", None, 405),
    "DELETE of the ticket list": Undescribed("DELETE", "/v1/tickets", None, 405),
    "PUT of a ticket, with no key": Undescribed("PUT", "/v1/tickets/GLX-1", {}, 405),
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

    # Then it is the expected 4xx, in the error envelope; a 405 lists the methods the resource serves
    body = response.json()
    assert response.status_code == request_.status, body
    assert envelope_problems(response.status_code, body) == []
    if request_.status == 405:
        assert response.headers["Allow"] in ("DELETE, GET, PATCH, POST", "GET, POST")


def _failures(report: str, line_limit: int = 400) -> str:
    """schemathesis' report from its FAILURES section on, each line cut short: a generated body can be
    megabytes on one line, and would push every other failure out of the message."""
    start = report.find("FAILURES")
    lines = report[start if start >= 0 else 0 :].splitlines()
    return "\n".join(line if len(line) <= line_limit else line[:line_limit] + " ..." for line in lines)
