"""/docs: the API reference, docs/openapi.json in Swagger UI. Swagger UI's files are ours, vendored at
a pinned version in the folder given (functions/api_docs/static, `make swagger-ui`); the document is
rendered from the code at start, the same one `make openapi` writes."""

from __future__ import annotations

from pathlib import Path

from tickets.api.openapi import render
from tickets.api.resolver import TicketsResolver
from tickets.api.responses import JSON
from tickets.api.static_site import StaticSite, site_app

# Swagger UI styles its elements inline and draws its icons as data: images; "Try it out" calls our API.
DOCS_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'"
)
DOCUMENT = "openapi.json"


def api_docs_app(root: Path) -> TicketsResolver:
    site = StaticSite(root, DOCS_POLICY)
    site.add(DOCUMENT, render(), JSON)
    return site_app("/docs", site)
