"""Plain files a function serves under one path of the API (the console, the API reference): read once
per container, each answered whole with a hash of its content as ETag, so a browser's revalidation is
a 304 without a body. Its security headers keep the pages' scripts to our own origin, and the pages
out of frames and referrers: the API key they hold goes nowhere but our API."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response

from tickets.api.resolver import TicketsResolver, build_resolver
from tickets.api.responses import error_response
from tickets.errors import ErrorCode

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".txt": "text/plain; charset=utf-8",
}
INDEX = "index.html"


@dataclass(frozen=True)
class StaticFile:
    body: str
    content_type: str
    etag: str

    @classmethod
    def of(cls, body: str, content_type: str) -> StaticFile:
        digest = hashlib.sha256(body.encode()).hexdigest()[:32]
        return cls(body, content_type, f'"{digest}"')


class StaticSite:
    """The files of one folder (not its subfolders), by name; `policy` is the pages' Content Security
    Policy. Every answer is `no-cache`: always revalidated, so a deploy shows at once."""

    def __init__(self, root: Path, policy: str) -> None:
        self.files = {
            path.name: StaticFile.of(path.read_text(encoding="utf-8"), CONTENT_TYPES[path.suffix])
            for path in sorted(root.iterdir())
            if path.is_file() and path.suffix in CONTENT_TYPES
        }
        self.headers = {
            "Cache-Control": "no-cache",
            "Content-Security-Policy": policy,
            "Referrer-Policy": "no-referrer",
            "X-Content-Type-Options": "nosniff",
            "X-Frame-Options": "DENY",
        }

    def add(self, name: str, body: str, content_type: str) -> None:
        """A file made at run time (the OpenAPI document, from the code)."""
        self.files[name] = StaticFile.of(body, content_type)

    def answer(self, app: APIGatewayRestResolver, name: str) -> Response[str]:
        """`name` for the request of `app`: the file, a 304 when the browser has it already, or 404."""
        served = self.files.get(name)
        if served is None:
            return error_response(ErrorCode.ROUTE_NOT_FOUND, "No such file")
        headers = self.headers | {"ETag": served.etag}
        if served.etag in _tags(app.current_event.headers.get("if-none-match")):
            return Response(status_code=HTTPStatus.NOT_MODIFIED, body="", headers=headers)
        return Response(HTTPStatus.OK, served.content_type, served.body, headers)

    def index(self, app: APIGatewayRestResolver) -> Response[str]:
        """The folder's index.html at `.../name/`. At `.../name` (API Gateway routes both here) a
        redirect adds the slash first, so the page's relative links resolve inside the folder."""
        path = app.current_event.path
        if path.endswith("/"):
            return self.answer(app, INDEX)
        folder = path.rsplit("/", 1)[-1]
        return Response(HTTPStatus.FOUND, body="", headers=self.headers | {"Location": f"{folder}/"})


def site_app(folder: str, site: StaticSite) -> TicketsResolver:
    """The resolver of a function serving `site` at `folder` (/console): the page at `folder/`, its
    files at `folder/{file}`. Pages for browsers, not operations: left out of the OpenAPI document."""
    app = build_resolver()

    @app.get(folder, include_in_schema=False)
    def page() -> Response[str]:
        return site.index(app)

    @app.get(f"{folder}/<name>", include_in_schema=False)
    def file(name: str) -> Response[str]:
        return site.answer(app, name)

    return app


def _tags(header: str | None) -> set[str]:
    return {tag.strip().removeprefix("W/") for tag in (header or "").split(",") if tag.strip()}
