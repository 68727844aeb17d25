"""moto behind a real HTTP endpoint on 127.0.0.1, for code that is given an endpoint URL (the admin CLI's
--local). mock_aws intercepts only requests to AWS's own host names: a request to http://127.0.0.1:<port>
goes to the network like any other. moto's server needs Flask, which the venv does not have; so each
request is handed to moto's in-process dispatcher, which answers from the same backends as the test's
mock_aws (use the endpoint inside it)."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from botocore.awsrequest import AWSPreparedRequest
from botocore.compat import HTTPHeaders
from moto.core.botocore_stubber import BotocoreStubber

# SigV4: Credential=<access key>/<date>/<region>/<service>/aws4_request
_SCOPE = re.compile(r"Credential=(?P<key>[^/]+)/[0-9]+/(?P<region>[^/]+)/(?P<service>[^/]+)/aws4_request")


@dataclass(frozen=True)
class Call:
    access_key: str
    region: str
    service: str
    target: str  # the X-Amz-Target header: the operation of JSON protocols, e.g. DynamoDB_20120810.GetItem


@dataclass
class Endpoint:
    url: str
    calls: list[Call] = field(default_factory=list)


class _ToMoto(BaseHTTPRequestHandler):
    endpoint: Endpoint
    stubber = BotocoreStubber()

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        scope = _SCOPE.search(self.headers.get("Authorization", ""))
        if scope is None:
            self._answer(403, {}, b'{"__type": "MissingAuthenticationToken"}')
            return
        self.endpoint.calls.append(
            Call(scope["key"], scope["region"], scope["service"], self.headers.get("X-Amz-Target", ""))
        )
        headers = HTTPHeaders()
        for name, value in self.headers.items():
            headers[name] = value
        url = f"https://{scope['service']}.{scope['region']}.amazonaws.com{self.path}"
        answer = self.stubber.process_request(AWSPreparedRequest(self.command, url, headers, body, False))
        if answer is None:
            self._answer(404, {}, b'{"__type": "UnknownOperation"}')
            return
        status, answer_headers, answer_body = answer
        self._answer(status, answer_headers, answer_body)

    def _answer(self, status: int, headers: dict[str, str], body: str | bytes) -> None:
        content = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        for name, value in headers.items():
            if name.lower() not in ("content-length", "server", "date"):
                self.send_header(name, str(value))
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        self.wfile.write(content)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the tests assert on what the endpoint was asked instead (Endpoint.calls)."""


@contextmanager
def moto_endpoint() -> Iterator[Endpoint]:
    """http://127.0.0.1:<free port>, answered by the active mock_aws; the calls it received."""
    endpoint = Endpoint("")
    handler = type("ToMoto", (_ToMoto,), {"endpoint": endpoint})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    endpoint.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield endpoint
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
