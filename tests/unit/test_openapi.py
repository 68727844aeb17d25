"""The committed OpenAPI document is the one the code generates, and it covers every deployed route."""

from __future__ import annotations

import json
from typing import Any

from tests.support.aws import ROOT, template
from tickets.api.openapi import document, render
from tickets.api.routes.method_not_allowed import ALLOWED_METHODS


def test_the_committed_openapi_document_is_current() -> None:
    committed = (ROOT / "docs" / "openapi.json").read_text()
    assert committed == render(), "docs/openapi.json is stale: run `make openapi` and commit it"


def deployed_routes() -> set[tuple[str, str]]:
    """(path, method) of every API event of template.yaml's functions, but the ANY methods (405s)."""
    return {
        (event["Properties"]["Path"], event["Properties"]["Method"].upper())
        for resource in template()["Resources"].values()
        if resource["Type"] == "AWS::Serverless::Function"
        for event in resource["Properties"].get("Events", {}).values()
        if event["Type"] == "Api" and event["Properties"]["Method"].upper() != "ANY"
    }


# Pages for browsers (the console, the reference itself), not operations of the API.
PAGES = {("/console", "GET"), ("/console/{file}", "GET"), ("/docs", "GET"), ("/docs/{file}", "GET")}


def test_every_route_in_the_template_is_documented_and_nothing_else() -> None:
    documented = {
        (path, method.upper()) for path, operations in document()["paths"].items() for method in operations
    }
    assert documented == deployed_routes() - PAGES
    assert deployed_routes() >= PAGES


def test_every_resource_answers_its_other_methods_with_405_listing_exactly_its_own() -> None:
    # Given the resources of the template, each with its own methods and an ANY method
    any_methods = {
        event["Properties"]["Path"]
        for resource in template()["Resources"].values()
        if resource["Type"] == "AWS::Serverless::Function"
        for event in resource["Properties"].get("Events", {}).values()
        if event["Type"] == "Api" and event["Properties"]["Method"].upper() == "ANY"
    }
    # Then every resource has an ANY method, and the 405's Allow lists exactly the methods it serves
    served = {(path, method) for path, methods in ALLOWED_METHODS.items() for method in methods}
    assert served == deployed_routes()
    assert any_methods == {path for path, _ in deployed_routes()}


def _error_schema(operation: dict[str, Any], status: str) -> Any:
    return operation["responses"][status]["content"]["application/json"]["schema"]


def test_every_operation_documents_its_error_body_and_api_gateways_own_errors_as_the_envelope() -> None:
    # Given the document; JTL SCX's route answers its own errors in its document's errorList, and
    # Paymenter's in Laravel's format, with its 422 for invalid input
    own_bodies = {"/compat/jtl/": "JtlErrorList", "/compat/paymenter/": "LaravelError"}
    for path, operations in document()["paths"].items():
        own = next((body for prefix, body in own_bodies.items() if path.startswith(prefix)), "ErrorEnvelope")
        for operation in operations.values():
            # Then each operation's errors are its route's body, but the 401 and 429 API Gateway answers
            assert _error_schema(operation, "400") == {"$ref": f"#/components/schemas/{own}"}
            assert _error_schema(operation, "415") == {"$ref": f"#/components/schemas/{own}"}
            for status in ("401", "429"):
                assert _error_schema(operation, status) == {"$ref": "#/components/schemas/ErrorEnvelope"}
            if own == "LaravelError":
                assert _error_schema(operation, "422") == {"$ref": "#/components/schemas/LaravelError"}
            else:
                assert "422" not in operation["responses"]
    schemas = set(json.loads(render())["components"]["schemas"])
    assert {"ErrorEnvelope", "JtlErrorList", "LaravelError"} <= schemas


def test_every_write_declares_idempotency_key_and_every_write_to_a_ticket_if_match() -> None:
    # Given the document; When its writes are read; Then each takes Idempotency-Key (which the route's
    # declaration validates before the middleware acts on it), and each change of a ticket If-Match
    writes = {
        (path, method): {parameter["name"] for parameter in operation.get("parameters", [])}
        for path, operations in document()["paths"].items()
        for method, operation in operations.items()
        if method in ("post", "put", "patch", "delete")
    }
    assert writes
    assert {route for route, headers in writes.items() if "idempotency-key" not in headers} == set()
    changes_of_a_ticket = {
        route for route in writes if "{ticketId}" in route[0] or "ticket-messages" in route[0]
    }
    assert {route for route in changes_of_a_ticket if "if-match" not in writes[route]} == set()
