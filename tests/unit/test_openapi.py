"""The committed OpenAPI document is the one the code generates, and it covers every deployed route."""

from __future__ import annotations

import json

from tests.support.aws import ROOT, template
from tickets.api.openapi import document, render


def test_the_committed_openapi_document_is_current() -> None:
    committed = (ROOT / "docs" / "openapi.json").read_text()
    assert committed == render(), "docs/openapi.json is stale: run `make openapi` and commit it"


def test_every_route_in_the_template_is_documented_and_nothing_else() -> None:
    deployed = {
        (event["Properties"]["Path"], event["Properties"]["Method"].lower())
        for resource in template()["Resources"].values()
        if resource["Type"] == "AWS::Serverless::Function"
        for event in resource["Properties"].get("Events", {}).values()
        if event["Type"] == "Api"
    }
    documented = {(path, method) for path, operations in document()["paths"].items() for method in operations}
    assert documented == deployed


def test_every_operation_documents_the_error_envelope() -> None:
    for operations in document()["paths"].values():
        for operation in operations.values():
            error = operation["responses"]["400"]["content"]["application/json"]["schema"]
            assert error == {"$ref": "#/components/schemas/ErrorEnvelope"}
            assert "422" not in operation["responses"]
    assert "ErrorEnvelope" in json.loads(render())["components"]["schemas"]
