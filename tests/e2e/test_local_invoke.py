"""`make invoke FN=... EVENT=...` (tests/support/local_stack.py invoke): a deployed function of the local
stack run with an events/ file prints the function's response and its log lines of that invocation."""

from __future__ import annotations

import json
import os
import subprocess
from urllib.parse import urlparse

import pytest

from tests.e2e.conftest import ROOT, Stack


def invoke(stack: Stack, function: str, event: str) -> subprocess.CompletedProcess[str]:
    """The invoke subcommand as the Makefile runs it, aimed at this run's stack (by its port)."""
    if not stack.endpoint:
        pytest.skip("invoke runs a function of the local stack (not of a deployment given by API_URL)")
    port = str(urlparse(stack.endpoint).port)
    command = ["invoke", "--profile", "e2e", "--function", function, "--event", event]
    return subprocess.run(
        [str(ROOT / ".venv/bin/python"), "-m", "tests.support.local_stack", *command],
        cwd=ROOT,
        env=os.environ | {"E2E_PORT": port, "PYTHONPATH": f"{ROOT / 'layers/shared'}:{ROOT}"},
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_invoke_prints_the_created_ticket_and_the_functions_log_lines(stack: Stack) -> None:
    # Given the create_ticket event of events/ (tenant acme, customer user_42: the demo data)
    sent = json.loads(json.loads((ROOT / "events/create_ticket.json").read_text())["body"])

    # When it is invoked on the deployed CreateTicketFunction
    run = invoke(stack, "create_ticket", "events/create_ticket.json")

    # Then the function's response is printed: a 201 with the created ticket
    assert run.returncode == 0, run.stdout + run.stderr
    response = json.loads(run.stdout)
    assert response["statusCode"] == 201
    ticket = json.loads(response["body"])["data"]
    assert ticket["subject"] == sent["subject"]
    assert ticket["customer"]["externalId"] == "user_42"
    assert ticket["ticketNumber"].startswith("INV-")
    # And so are the function's log lines of that invocation (its metrics line, shortened)
    assert "METRICS TicketsCreated=1 Count" in run.stderr.splitlines()


def test_invoke_fails_when_the_function_raises(stack: Stack) -> None:
    # Given an API event, which the stream function cannot take (it has no Records)
    # When it is invoked on TicketStreamFunction
    run = invoke(stack, "ticket_stream", "events/create_ticket.json")

    # Then the exit status says the function failed, and its error response is printed
    assert run.returncode == 1, run.stdout + run.stderr
    assert "errorMessage" in json.loads(run.stdout)
    assert "TicketStreamFunction failed (Unhandled)" in run.stderr


def test_invoke_of_an_unknown_function_lists_the_functions(stack: Stack) -> None:
    # When a function that does not exist is invoked
    run = invoke(stack, "create_tickets", "events/create_ticket.json")

    # Then nothing runs, and the error names the functions FN may be
    assert run.returncode == 1
    assert "No function 'create_tickets'" in run.stderr
    assert "create_ticket, customers" in run.stderr
