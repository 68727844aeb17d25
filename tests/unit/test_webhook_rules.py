"""Webhook rules that need no AWS: the retry schedule, which URLs and addresses an endpoint may have,
the signature headers, and what one POST does with slow, large, refused and blocked answers."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from standardwebhooks import Webhook

from tickets.errors import ValidationFailed
from tickets.logic.deliveries import JITTER, RETRY_DELAYS, retry_delay
from tickets.logic.webhooks import check_url, new_secret
from tickets.notify import webhook_transport
from tickets.notify.webhook_transport import allowed_address, signature_headers

# The schedule ---------------------------------------------------------------------------------------


def test_the_retries_follow_the_standard_webhooks_schedule_then_stop() -> None:
    waits = [retry_delay(made, None, jitter=0.0) for made in range(1, len(RETRY_DELAYS) + 2)]

    assert waits[:-1] == [
        timedelta(seconds=5),
        timedelta(minutes=5),
        timedelta(minutes=30),
        timedelta(hours=2),
        timedelta(hours=5),
        timedelta(hours=10),
        timedelta(hours=14),
        timedelta(hours=20),
        timedelta(hours=24),
    ]
    assert waits[-1] is None


@pytest.mark.parametrize("jitter", [-JITTER, JITTER])
def test_jitter_moves_a_wait_by_at_most_a_tenth(jitter: float) -> None:
    wait = retry_delay(2, None, jitter)

    assert wait is not None
    assert abs(wait - timedelta(minutes=5)) == timedelta(seconds=30)


def test_retry_after_is_honoured_when_later_than_the_schedule_and_capped_at_a_day() -> None:
    assert retry_delay(1, 120, 0.0) == timedelta(seconds=120)
    assert retry_delay(3, 120, 0.0) == timedelta(minutes=30)  # the schedule is later
    assert retry_delay(1, 10 * 86400, 0.0) == timedelta(hours=24)


# URLs and addresses ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://hooks.example.com/x",
        "https://10.1.2.3/x",
        "https://192.168.0.10/x",
        "https://127.0.0.1/x",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/x",
        "https://[fd00::1]/x",
        "https://localhost/x",
        "http://127.0.0.1:8080/x",
    ],
)
def test_on_aws_an_endpoint_is_https_to_a_public_host(url: str) -> None:
    with pytest.raises(ValidationFailed) as raised:
        check_url(url, allow_loopback=False)

    assert [issue.field for issue in raised.value.details] == ["url"]


def test_the_local_stack_also_allows_plain_http_to_127_0_0_1_only() -> None:
    check_url("http://127.0.0.1:8080/hooks", allow_loopback=True)
    check_url("https://hooks.example.com/x", allow_loopback=True)
    with pytest.raises(ValidationFailed):
        check_url("http://hooks.example.com/x", allow_loopback=True)
    with pytest.raises(ValidationFailed):
        check_url("http://10.0.0.1/x", allow_loopback=True)


@pytest.mark.parametrize(
    ("address", "allowed"),
    [
        ("93.184.216.34", True),
        ("2606:2800:220:1:248:1893:25c8:1946", True),
        ("10.0.0.1", False),
        ("172.16.5.4", False),
        ("192.168.1.1", False),
        ("127.0.0.1", False),
        ("169.254.169.254", False),
        ("100.64.0.1", False),  # carrier-grade NAT
        ("0.0.0.0", False),
        ("::1", False),
        ("fe80::1", False),
        ("::ffff:10.0.0.1", False),  # a private IPv4 address in IPv6 dress
    ],
)
def test_only_public_addresses_are_reached(address: str, allowed: bool) -> None:
    assert allowed_address(address, allow_loopback=False) is allowed


# Signatures ------------------------------------------------------------------------------------------


def test_every_secret_signs_and_a_receiver_with_either_verifies() -> None:
    old, new = new_secret(), new_secret()
    body = '{"type":"ticket.created","timestamp":"2026-12-01T10:00:00.000000Z","data":{}}'

    headers = signature_headers([new, old], "evt_1", datetime.now(UTC), body)

    assert headers["webhook-id"] == "evt_1"
    assert len(headers["webhook-signature"].split(" ")) == 2
    for secret in (old, new):
        assert Webhook(secret).verify(body, headers)["type"] == "ticket.created"


def test_a_secret_is_whsec_and_32_random_bytes() -> None:
    secrets = {new_secret() for _ in range(50)}

    assert len(secrets) == 50
    assert all(secret.startswith("whsec_") and len(secret) == len("whsec_") + 44 for secret in secrets)


# One POST --------------------------------------------------------------------------------------------


@contextmanager
def _server(respond: Any) -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("content-length", "0")))
            respond(self)

        def log_message(self, *_: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hooks"
    finally:
        server.shutdown()
        server.server_close()


def test_a_2xx_is_a_success_and_anything_else_is_not() -> None:
    for status, succeeded in ((204, True), (301, False), (500, False)):

        def respond(handler: BaseHTTPRequestHandler, status: int = status) -> None:
            handler.send_response(status)
            handler.send_header("content-length", "0")
            handler.end_headers()

        with _server(respond) as url:
            answer = webhook_transport.post(url, "{}", {}, allow_loopback=True)
        assert (answer.status, answer.succeeded) == (status, succeeded)


def test_a_huge_answer_is_read_only_up_to_64_kib() -> None:
    written: list[int] = []

    def respond(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.end_headers()  # no length: read until closed
        try:
            for _ in range(1024):
                handler.wfile.write(b"x" * 16384)
                written.append(16384)
        except OSError:
            pass  # the client stopped reading and closed

    with _server(respond) as url:
        answer = webhook_transport.post(url, "{}", {}, allow_loopback=True)

    assert answer.status == 200 and answer.succeeded
    assert sum(written) < 1024 * 16384  # the sender was cut off long before its 16 MiB


def test_an_endpoint_slower_than_the_timeout_is_a_failed_attempt(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(webhook_transport, "TIMEOUT_SECONDS", 0.5)

    def respond(handler: BaseHTTPRequestHandler) -> None:
        time.sleep(2)
        handler.send_response(200)
        handler.end_headers()

    with _server(respond) as url:
        answer = webhook_transport.post(url, "{}", {}, allow_loopback=True)

    assert answer.status is None and not answer.succeeded
    assert answer.error is not None and "no answer" in answer.error
    assert answer.duration_ms < 1900


def test_a_name_that_resolves_to_a_private_address_is_never_connected_to(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given: DNS that answers with a private address (as a rebinding attack would)
    def private(host: str, port: int, **_: Any) -> list[Any]:
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.5", port))]

    connected: list[Any] = []
    monkeypatch.setattr(webhook_transport.socket, "getaddrinfo", private)
    monkeypatch.setattr(
        webhook_transport.socket, "create_connection", lambda *address, **_: connected.append(address)
    )

    # When
    answer = webhook_transport.post("https://hooks.example.com/x", "{}", {}, allow_loopback=False)

    # Then
    assert answer.status is None and answer.error is not None and "may not reach" in answer.error
    assert connected == []


def test_a_host_name_idna_cannot_encode_is_a_failed_attempt_not_a_crash() -> None:
    # Given an endpoint whose host holds a private-use character (the fuzz run made one), When posted to
    answer = webhook_transport.post("https://\U000f5b14.example.com/x", "{}", {}, allow_loopback=False)
    # Then the attempt failed with its reason, to be retried as any lookup failure is
    assert answer.status is None and not answer.succeeded
    assert answer.error is not None and "cannot be encoded" in answer.error


def test_retry_after_as_a_date_counts_from_now() -> None:
    def respond(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(503)
        later = datetime.now(UTC) + timedelta(minutes=10)
        handler.send_header("Retry-After", later.strftime("%a, %d %b %Y %H:%M:%S GMT"))
        handler.send_header("content-length", "0")
        handler.end_headers()

    with _server(respond) as url:
        answer = webhook_transport.post(url, "{}", {}, allow_loopback=True)

    assert answer.status == 503
    assert answer.retry_after_seconds is not None and 590 <= answer.retry_after_seconds <= 600
