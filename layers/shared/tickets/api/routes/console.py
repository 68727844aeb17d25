"""/console: the staff console, plain HTML, CSS and JavaScript on the public API (the folder given is
functions/console/static). No key is needed to load it: the page asks for one, and sends it only in
our API's headers."""

from __future__ import annotations

from pathlib import Path

from tickets.api.resolver import TicketsResolver
from tickets.api.static_site import StaticSite, site_app

# Scripts and styles from our own files only; fetches to our API, and the real-time WebSocket (on its
# own domain on AWS, its own port locally).
CONSOLE_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self' ws: wss:; form-action 'none'; base-uri 'none'; frame-ancestors 'none'"
)


def console_app(root: Path) -> TicketsResolver:
    return site_app("/console", StaticSite(root, CONSOLE_POLICY))
