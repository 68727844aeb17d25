"""A webhook receiver on 127.0.0.1 for the tests: it answers each POST with the next status of its
script (then 200), and keeps what it got, verified with the standardwebhooks package as a receiver
following the specification would."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks import Webhook, WebhookVerificationError


@dataclass
class Received:
    headers: dict[str, str]
    body: str
    status: int  # what the receiver answered
    arrived: float = field(default_factory=time.monotonic)  # when it came in (time.monotonic)

    @property
    def webhook_id(self) -> str:
        return self.headers["webhook-id"]

    def verified(self, secret: str) -> Any:
        """The payload, if its signatures hold one made with `secret` (else WebhookVerificationError)."""
        return Webhook(secret).verify(self.body, self.headers)

    def signed_by(self, secret: str) -> bool:
        try:
            self.verified(secret)
        except WebhookVerificationError:
            return False
        return True


@dataclass
class Receiver:
    url: str
    script: list[int | tuple[int, dict[str, str]]] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    answer_body: bytes = b'{"ok": true}'
    delay_seconds: float = 0.0  # how long it takes to answer (a slow endpoint)

    def answer_with(self, *statuses: int | tuple[int, dict[str, str]]) -> None:
        """The next answers, in order: a status, or (status, headers); 200 once they are used up."""
        self.script.extend(statuses)

    def of_type(self, event_type: str) -> list[Received]:
        import json

        return [entry for entry in self.received if json.loads(entry.body)["type"] == event_type]


@contextmanager
def receiver(path: str = "/hooks") -> Iterator[Receiver]:
    lock = threading.Lock()
    state: dict[str, Receiver] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", "0"))).decode()
            with lock:
                target = state["receiver"]
                answer = target.script.pop(0) if target.script else 200
                status, headers = answer if isinstance(answer, tuple) else (answer, {})
                received = Received({k.lower(): v for k, v in self.headers.items()}, body, status)
                target.received.append(received)
            time.sleep(target.delay_seconds)
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("content-length", str(len(target.answer_body)))
            self.end_headers()
            self.wfile.write(target.answer_body)

        def log_message(self, *_: Any) -> None:  # quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state["receiver"] = Receiver(f"http://127.0.0.1:{server.server_address[1]}{path}")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state["receiver"]
    finally:
        server.shutdown()
        server.server_close()


def unused_port_url(path: str = "/hooks") -> str:
    """A URL on 127.0.0.1 nothing listens on: every attempt is a refused connection."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}{path}"


def only(items: Sequence[Received]) -> Received:
    assert len(items) == 1, f"expected one delivery, got {len(items)}"
    return items[0]
