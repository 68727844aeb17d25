"""A method a resource does not serve is 405 METHOD_NOT_ALLOWED with Allow, in the error envelope."""

from __future__ import annotations

import pytest

from tests.support.assertions import assert_error
from tests.support.events import load_event
from tests.support.handlers import invoke


@pytest.mark.parametrize(
    ("resource", "method", "allow"),
    [
        pytest.param("/v1/tickets/{ticketId}", "PUT", "DELETE, GET, PATCH, POST", id="PUT of a ticket"),
        pytest.param("/v1/tickets", "PUT", "GET, POST", id="PUT of the ticket list"),
        pytest.param("/v1/tickets/{ticketId}/messages", "GET", "POST", id="GET of the messages route"),
        pytest.param("/v1/customers", "POST", "GET", id="POST of the customer list"),
        pytest.param("/v1/agents/{agentId}", "GET", "PATCH, PUT", id="GET of one agent"),
        pytest.param("/v1/tickets", "OPTIONS", "GET, POST", id="OPTIONS"),
    ],
)
def test_a_method_the_resource_does_not_serve_is_405_listing_the_ones_it_does(
    resource: str, method: str, allow: str
) -> None:
    # Given a request API Gateway sends to the resource's ANY method (no key: none is needed)
    event = load_event("method_not_allowed.json", tenant_id=None) | {
        "resource": resource,
        "httpMethod": method,
    }

    # When the function answers it
    response = invoke("method_not_allowed", event)

    # Then it is a 405 in the error envelope, and Allow lists exactly what the resource serves
    assert_error(response, 405, "METHOD_NOT_ALLOWED", "method")
    assert response.headers["Allow"] == allow
    assert method in response.error["message"]
