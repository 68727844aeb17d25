"""One webhook POST: signed as Standard Webhooks says, to an address checked when it is resolved (no
private, loopback or link-local address unless the local stack allows loopback), no redirects, a
deadline of 10 s, and at most 64 KiB of the answer read and none of it kept."""

from __future__ import annotations

import email.utils
import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

from standardwebhooks import Webhook as Signer

TIMEOUT_SECONDS = 10.0
MAX_ANSWER_BYTES = 64 * 1024
USER_AGENT = "tickets-api-webhooks/1"


@dataclass(frozen=True)
class Answer:
    """What one attempt got: the HTTP status (None: no answer), how long it took, why it failed."""

    status: int | None
    duration_ms: int
    error: str | None = None
    retry_after_seconds: float | None = None

    @property
    def succeeded(self) -> bool:
        return self.status is not None and 200 <= self.status < 300  # noqa: PLR2004


class BlockedAddress(Exception):
    """The URL's host resolves to an address webhooks may not reach."""


def signature_headers(secrets: list[str], message_id: str, sent_at: datetime, body: str) -> dict[str, str]:
    """webhook-id, webhook-timestamp and webhook-signature: one `v1,<signature>` per secret (during a
    rotation, the new secret's and the old one's), space-separated."""
    signatures = " ".join(Signer(secret).sign(message_id, sent_at, body) for secret in secrets)
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(sent_at.timestamp())),
        "webhook-signature": signatures,
    }


def allowed_address(address: str, *, allow_loopback: bool) -> bool:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global or (allow_loopback and ip.is_loopback)


def _resolve(host: str, port: int, *, allow_loopback: bool) -> str:
    """The address to connect to. Every address the name has must be allowed, and the connection goes
    to the one checked, so a second lookup cannot swap in another (DNS rebinding)."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise OSError(f"DNS lookup failed: {error.strerror}") from None
    except UnicodeError:  # a name IDNA cannot encode, though the URL's own rules allow it: no such host
        raise OSError("DNS lookup failed: the host name cannot be encoded (IDNA)") from None
    addresses = [str(entry[4][0]) for entry in found]
    blocked = [
        address for address in addresses if not allowed_address(address, allow_loopback=allow_loopback)
    ]
    if blocked or not addresses:
        raise BlockedAddress(f"{host} resolves to an address webhooks may not reach")
    return addresses[0]


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


def _retry_after(value: str | None, now: datetime) -> float | None:
    """Retry-After in seconds: a number of seconds or an HTTP date."""
    if not value:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (moment.astimezone(UTC) - now).total_seconds())


def post(url: str, body: str, headers: dict[str, str], *, allow_loopback: bool) -> Answer:
    """POST the JSON body; never raises for what the endpoint does, only tells it in the Answer."""
    started = time.monotonic()
    parts = urlsplit(url)
    secure = parts.scheme == "https"
    port = parts.port or (443 if secure else 80)
    host = parts.hostname or ""
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")

    def elapsed_ms() -> int:
        return int((time.monotonic() - started) * 1000)

    connection: http.client.HTTPConnection | None = None
    try:
        address = _resolve(host, port, allow_loopback=allow_loopback)
        kind = _PinnedHTTPSConnection if secure else _PinnedHTTPConnection
        connection = kind(host, port, address, TIMEOUT_SECONDS)
        request_headers = {"content-type": "application/json", "user-agent": USER_AGENT} | headers
        connection.request("POST", target, body=body.encode(), headers=request_headers)
        deadline = started + TIMEOUT_SECONDS
        if connection.sock is not None:
            connection.sock.settimeout(max(0.1, deadline - time.monotonic()))
        response = connection.getresponse()
        remaining = MAX_ANSWER_BYTES
        while remaining > 0 and time.monotonic() < deadline:  # read (some of) the answer, keep none of it
            chunk = response.read(min(remaining, 16 * 1024))
            if not chunk:
                break
            remaining -= len(chunk)
        retry_after = _retry_after(response.getheader("retry-after"), datetime.now(UTC))
        error = None if 200 <= response.status < 300 else f"HTTP {response.status}"  # noqa: PLR2004
        return Answer(response.status, elapsed_ms(), error, retry_after)
    except BlockedAddress as error:
        return Answer(None, elapsed_ms(), str(error))
    except TimeoutError:
        return Answer(None, elapsed_ms(), f"no answer within {TIMEOUT_SECONDS:.0f} s")
    except ConnectionRefusedError:
        return Answer(None, elapsed_ms(), "connection refused")
    except ssl.SSLError as error:
        return Answer(None, elapsed_ms(), f"TLS failed: {error.reason or error.__class__.__name__}")
    except (OSError, http.client.HTTPException) as error:
        return Answer(None, elapsed_ms(), f"connection failed: {error.__class__.__name__}: {error}"[:200])
    finally:
        if connection is not None:
            connection.close()
