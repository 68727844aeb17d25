"""`make logs` and `make emails` (tests/support/local_stack.py): each invocation's lines together and in
the order they were written, whatever their timestamps; readable times and headers."""

from __future__ import annotations

import json
from typing import Any

from tests.support.local_stack import compact, email_text, function_name, invocations, render

GROUP = "/aws/lambda/tickets-local-AuthorizerFunction-46CD0927573A2"
DENIED = json.dumps(
    {
        "level": "INFO",
        "location": "authorize:59",
        "message": "Denied: unknown or revoked key",
        "timestamp": "2026-12-01 09:04:29,752+0000",
        "service": "tickets-api",
        "cold_start": True,
        "function_name": "tickets-local-AuthorizerFunction-46CD0927573A2",
        "function_memory_size": 256,
        "function_arn": "arn:aws:lambda:us-east-1:000000000000:function:tickets-local-AuthorizerFunction",
        "function_request_id": "r1",
        "keyId": None,
    }
)


def lines(stream: str, timestamp: int, *messages: str) -> list[dict[str, Any]]:
    return [{"logStreamName": stream, "timestamp": timestamp, "message": message} for message in messages]


def invocation_lines(request_id: str, duration_ms: int, *body: str) -> tuple[str, ...]:
    return (
        f"START RequestId: {request_id} Version: $LATEST",
        *body,
        f"END RequestId: {request_id}",
        f"REPORT RequestId: {request_id}\tDuration: {duration_ms} ms\tBilled Duration: {duration_ms} ms",
    )


def test_lines_with_one_timestamp_stay_in_written_order_one_block_per_invocation() -> None:
    # Given MiniStack's shape: a stream per invocation, every line stamped with the invocation's end
    traceback = ("Traceback (most recent call last):", '  File "app.py", line 1', "ValueError: boom")
    events = [
        *lines("s2", 5_000, *invocation_lines("r2", 100, *traceback)),
        *lines("s1", 4_000, *invocation_lines("r1", 1_500, DENIED)),
    ]
    # When they are grouped
    found = sorted(invocations("AuthorizerFunction", events), key=lambda invocation: invocation.started_ms)
    # Then each invocation keeps its lines as written, and starts at its end minus its duration
    assert [(i.request_id, i.started_ms) for i in found] == [("r1", 2_500), ("r2", 4_900)]
    assert found[1].messages == list(invocation_lines("r2", 100, *traceback))


def test_a_stream_of_several_invocations_is_split_at_each_start_and_init_lines_go_with_the_next() -> None:
    # Given AWS's shape: one execution environment's stream, invocations one after the other
    events = [
        *lines("env", 1_000, "INIT_START Runtime Version: python:3.13"),
        *lines("env", 1_010, *invocation_lines("r1", 5, "first")),
        *lines("env", 1_020, *invocation_lines("r2", 5, "second")),
    ]
    # When they are grouped
    found = invocations("CreateTicketFunction", events)
    # Then there is one block per request, the INIT line in the first
    assert [(i.request_id, i.messages[0], i.messages[2]) for i in found] == [
        ("r1", "INIT_START Runtime Version: python:3.13", "first"),
        ("r2", "START RequestId: r2 Version: $LATEST", "END RequestId: r2"),
    ]


def test_a_powertools_line_is_shown_compactly_without_what_the_header_says() -> None:
    assert compact(DENIED) == ["INFO    Denied: unknown or revoked key  location=authorize:59 keyId=null"]


def test_a_logged_exception_is_shown_on_the_lines_after_its_message() -> None:
    line = json.dumps({"level": "ERROR", "message": "Failed", "exception": "Traceback:\n  x\nValueError: y"})
    assert compact(line) == ["ERROR   Failed", "exception:", "  Traceback:", "    x", "  ValueError: y"]


def test_a_metrics_line_is_shown_as_its_values_and_units() -> None:
    line = json.dumps(
        {
            "_aws": {"CloudWatchMetrics": [{"Metrics": [{"Name": "EmailsSent", "Unit": "Count"}]}]},
            "service": "tickets-api",
            "EmailsSent": [1.0],
        }
    )
    assert compact(line) == ["METRICS EmailsSent=1 Count"]


def test_an_invocation_is_headed_by_its_time_function_and_request() -> None:
    (found,) = invocations(
        function_name(GROUP), lines("s1", 1_796_115_530_000, *invocation_lines("r1", 0, DENIED))
    )
    header, *body = render(found).splitlines()
    assert header.endswith("  AuthorizerFunction  r1  cold start")
    assert header.startswith("2026-")
    assert body[1] == "    INFO    Denied: unknown or revoked key  location=authorize:59 keyId=null"
    assert render(found, raw=True).splitlines()[2] == f"    {DENIED}"


def test_an_email_is_headed_by_a_readable_time_sender_recipient_and_subject() -> None:
    message = {
        "Source": "support@tickets.local",
        "To": ["agent@acme.com"],
        "CC": [],
        "Subject": "[INV-1] Assigned to you: Hello",
        "BodyText": "Hello Agent N1,\n",
        "Timestamp": 1796115530.2178578,
    }
    first, *rest = email_text(message).splitlines()
    assert first.startswith("--- 2026-12-01 ")
    assert "1796115530" not in first
    assert rest == [
        "From:    support@tickets.local",
        "To:      agent@acme.com",
        "Subject: [INV-1] Assigned to you: Hello",
        "",
        "Hello Agent N1,",
    ]
