"""The console's and the API reference's files (ConsoleFunction, ApiDocsFunction) and GET /v1/me
(MeFunction), through their handlers as Lambda imports them. The console at work in a browser is
tests/e2e/test_console.py."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.support.aws import ROOT
from tests.support.events import api_event, load_event
from tests.support.handlers import LambdaContext, handler_module, invoke

CONSOLE_FILES = ROOT / "functions" / "console" / "static"
DOCS_FILES = ROOT / "functions" / "api_docs" / "static"


def fetch(function: str, event_file: str, path: str, headers: dict[str, str] | None = None) -> dict[str, Any]:
    """A GET of `path` by a browser (no key), answered by `function`: the raw proxy result."""
    event = load_event(event_file, tenant_id=None)
    event["path"] = path
    event["requestContext"]["path"] = f"/dev{path}"
    if event["pathParameters"]:
        event["pathParameters"] = {"file": path.rsplit("/", 1)[-1]}
    event["headers"] |= headers or {}
    event["multiValueHeaders"] = {name: [value] for name, value in event["headers"].items()}
    result: dict[str, Any] = handler_module(function).lambda_handler(
        event, LambdaContext(function_name=function)
    )
    result["headers"] = {name.lower(): value for name, value in (result.get("headers") or {}).items()} | {
        name.lower(): values[-1] for name, values in (result.get("multiValueHeaders") or {}).items()
    }
    return result


def console(path: str, **headers: str) -> dict[str, Any]:
    event_file = "console_page.json" if path.rstrip("/") == "/console" else "console_file.json"
    return fetch("console", event_file, path, headers)


def docs(path: str, **headers: str) -> dict[str, Any]:
    event_file = "docs_page.json" if path.rstrip("/") == "/docs" else "docs_file.json"
    return fetch("api_docs", event_file, path, headers)


class TestConsoleFiles:
    def test_the_page_is_served_at_the_folder_without_a_key(self) -> None:
        # Given a browser with no key, When it opens /console/
        page = console("/console/")
        # Then it gets the sign-in page, as HTML
        assert page["statusCode"] == 200
        assert page["headers"]["content-type"] == "text/html; charset=utf-8"
        assert page["body"] == (CONSOLE_FILES / "index.html").read_text()
        assert '<label for="api-key">API key</label>' in page["body"]

    def test_the_folder_without_its_slash_redirects_so_relative_links_resolve(self) -> None:
        page = console("/console")
        assert page["statusCode"] == 302
        assert page["headers"]["location"] == "console/"

    @pytest.mark.parametrize(
        ("name", "content_type"),
        [("app.js", "text/javascript; charset=utf-8"), ("style.css", "text/css; charset=utf-8")],
    )
    def test_each_file_has_its_type(self, name: str, content_type: str) -> None:
        served = console(f"/console/{name}")
        assert served["statusCode"] == 200
        assert served["headers"]["content-type"] == content_type
        assert served["body"] == (CONSOLE_FILES / name).read_text()

    def test_a_browser_that_has_the_file_gets_a_304_without_a_body(self) -> None:
        # Given the file as first read, with its ETag
        first = console("/console/app.js")
        etag = first["headers"]["etag"]
        # When the browser revalidates it (no-cache), Then nothing is sent again
        again = console("/console/app.js", **{"If-None-Match": etag})
        assert again["statusCode"] == 304
        assert not again["body"]
        assert again["headers"]["etag"] == etag
        # And a stale copy gets the file
        stale = console("/console/app.js", **{"If-None-Match": '"0123"'})
        assert stale["statusCode"] == 200
        assert first["headers"]["cache-control"] == "no-cache"

    def test_the_pages_scripts_and_styles_come_from_our_origin_only(self) -> None:
        headers = console("/console/")["headers"]
        policy = headers["content-security-policy"]
        assert "script-src 'self'" in policy
        assert "default-src 'none'" in policy
        assert "frame-ancestors 'none'" in policy
        assert headers["referrer-policy"] == "no-referrer"
        assert headers["x-content-type-options"] == "nosniff"

    def test_an_unknown_file_is_a_404_in_the_error_envelope(self) -> None:
        missing = console("/console/secrets.env")
        assert missing["statusCode"] == 404
        assert json.loads(missing["body"])["error"]["code"] == "ROUTE_NOT_FOUND"

    def test_the_page_loads_nothing_from_elsewhere(self) -> None:
        # Every script and stylesheet is one of ours, by a relative name: no CDN, no build step.
        page = (CONSOLE_FILES / "index.html").read_text()
        assert "http://" not in page and "https://" not in page
        assert 'src="app.js"' in page and 'href="style.css"' in page


class TestApiReference:
    def test_the_reference_page_uses_our_own_swagger_ui(self) -> None:
        page = docs("/docs/")
        assert page["statusCode"] == 200
        assert '<script src="swagger-ui-bundle.js"></script>' in page["body"]
        assert "https://" not in page["body"]
        bundle = docs("/docs/swagger-ui-bundle.js")
        assert bundle["statusCode"] == 200
        assert bundle["headers"]["content-type"] == "text/javascript; charset=utf-8"
        assert docs("/docs/swagger-ui.css")["statusCode"] == 200

    def test_the_document_is_the_one_make_openapi_writes(self) -> None:
        document = docs("/docs/openapi.json")
        assert document["statusCode"] == 200
        assert document["headers"]["content-type"] == "application/json"
        assert json.loads(document["body"]) == json.loads((ROOT / "docs" / "openapi.json").read_text())

    def test_the_folder_without_its_slash_redirects(self) -> None:
        assert docs("/docs")["headers"]["location"] == "docs/"

    def test_the_vendored_swagger_ui_keeps_its_licence(self) -> None:
        assert "Apache License" in (DOCS_FILES / "swagger-ui.LICENSE.txt").read_text()


class TestMe:
    @pytest.mark.parametrize(
        ("role", "agent_id"), [("admin", None), ("agent", "agent_n1"), ("integration", None)]
    )
    def test_each_key_learns_its_tenant_role_and_agent(self, role: str, agent_id: str | None) -> None:
        answer = invoke("me", api_event("me", role=role, agent_id=agent_id))
        assert answer.status == 200
        assert answer.data == {"tenantId": "acme", "role": role, "keyId": "key_acme", "agentId": agent_id}

    def test_a_request_without_the_authorizers_context_is_refused(self) -> None:
        answer = invoke("me", api_event("me", tenant_id=None))
        assert answer.status == 401
        assert answer.error["code"] == "UNAUTHORIZED"
