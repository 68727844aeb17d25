"""JTL SCX's documented Create Ticket, sent verbatim over HTTP (only the base URL replaced), and its error
example, answered as its document shows (shared/seeds/jtl-scx-channel-ticket.txt). The demo tenant acme
answers for the document's seller 4711, globex for 4712 (tests/support/local_stack.py)."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
import requests

from tests.e2e.conftest import Client, Stack
from tests.support.documents import JTL_EXAMPLE, JTL_EXAMPLE_BODY, JTL_MISSING_SELLER_ERROR

# The document's URL, https://scx-sbx.api.jtl-software.com/v1/channel/ticket, with our base.
PATH = "/compat/jtl/v1/channel/ticket"


def post(stack: Stack, body: str, key: str | None = None) -> requests.Response:
    """As the document's curl: its URL with our base, its two headers, its --data as it is."""
    return requests.post(
        f"{stack.api_url}{PATH}",
        headers={
            "Authorization": f"Bearer {key or stack.keys.get('integration', stack.api_key)}",
            "Content-Type": "application/json",
        },
        data=body.encode(),
        timeout=30,
    )


def other_tenant_key(stack: Stack) -> str:
    key = stack.keys.get("otherTenantAdmin")
    assert key, "tenant isolation needs the second tenant's admin key (OTHER_TENANT_API_KEY)"
    return key


def tickets_and_customers(api: Client) -> tuple[int, int]:
    """What the tenant has: its ticket count (stats) and its customers (one page of 100)."""
    total = api.list(limit="1").json["stats"]["total"]
    customers = api.request("GET", "/v1/customers", params={"limit": "100"}).json["meta"]["count"]
    return total, customers


def test_the_documents_example_creates_a_ticket_and_answers_its_id_and_number(
    stack: Stack, api: Client
) -> None:
    # When the document's curl example is sent verbatim (the stack may have it from an earlier run)
    response = post(stack, JTL_EXAMPLE_BODY)

    # Then it is the ticket, bare: its id and number (201 the first time, 200 for a ticketId known)
    assert response.status_code in (200, 201), response.text
    answer: dict[str, Any] = response.json()
    assert set(answer) == {"id", "ticketNumber"}
    assert answer["ticketNumber"].startswith("INV-")
    # And sent again it is 200 with the same ticket
    again = post(stack, JTL_EXAMPLE_BODY)
    assert (again.status_code, again.json()) == (200, answer)
    # And the native API shows what the channel sent
    ticket = api.get(answer["id"]).data
    assert (ticket["externalId"], ticket["channelSellerId"], ticket["topic"]) == (
        "CASE-01071982",
        "4711",
        "QUESTION",
    )
    assert ticket["sourceCreatedAt"] == "2023-11-07T05:31:56.000000Z"
    assert ticket["customer"]["externalId"] == "jtl:4711:Dave"
    assert ticket["messages"][0]["message"] == "Open the pod bay doors HAL."
    assert ticket["messages"][0]["from"]["role"] == "CUSTOMER"


def test_the_documents_error_example_is_answered_as_the_document_shows(stack: Stack) -> None:
    # Given the example without its sellerId, the problem of the document's error example
    body = JTL_EXAMPLE_BODY.replace('  "sellerId": "4711",\n', "")
    assert "sellerId" not in body

    # When it is sent
    response = post(stack, body)

    # Then the answer is the document's error example, field by field
    assert response.status_code == 400, response.text
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.json() == JTL_MISSING_SELLER_ERROR


@pytest.mark.parametrize(
    ("changes", "status", "codes"),
    [
        pytest.param({"sellerId": None}, 400, ["VAL101"], id="sellerId-null"),
        pytest.param({"topic": "COMPLAINT", "subject": ""}, 400, ["VAL103", "VAL102"], id="two-problems"),
        pytest.param({"sellerId": "9999"}, 403, ["SEL403"], id="a-seller-not-answered-for"),
        pytest.param({"unknownField": 1}, 400, ["VAL104"], id="an-unknown-field"),
    ],
)
def test_bad_input_is_answered_in_the_errorlist_and_writes_nothing(
    stack: Stack, api: Client, changes: dict[str, Any], status: int, codes: list[str]
) -> None:
    # Given what the tenant has, and a buyer seen nowhere yet
    before = tickets_and_customers(api)
    buyer = f"Buyer {uuid.uuid4().hex[:12]}"
    body = JTL_EXAMPLE | {"ticketId": str(uuid.uuid4()), "from": {"role": "BUYER", "name": buyer}} | changes

    # When the body is sent
    response = post(stack, json.dumps(body))

    # Then it is refused with the document's errorList, an entry per problem
    assert response.status_code == status, response.text
    assert [entry["code"] for entry in response.json()["errorList"]] == codes
    # And nothing was written: no ticket, no customer for the buyer
    assert tickets_and_customers(api) == before
    assert api.request("GET", f"/v1/customers/jtl:{body['sellerId']}:{buyer}").status == 404


def test_a_body_that_is_not_json_is_answered_in_the_errorlist_too(stack: Stack) -> None:
    response = post(stack, JTL_EXAMPLE_BODY[:-3])
    assert response.status_code == 400, response.text
    assert [entry["code"] for entry in response.json()["errorList"]] == ["VAL105"]


def test_each_tenant_answers_for_its_own_sellers_only(stack: Stack, api: Client) -> None:
    # Given globex's key: globex answers for seller 4712, not for the document's 4711
    key = other_tenant_key(stack)
    ticket_id = f"CASE-{uuid.uuid4().hex[:12]}"

    # When globex sends the document's example, then the same ticket for its own seller
    refused = post(stack, JTL_EXAMPLE_BODY, key=key)
    theirs = post(stack, json.dumps(JTL_EXAMPLE | {"sellerId": "4712", "ticketId": ticket_id}), key=key)
    mine = post(stack, json.dumps(JTL_EXAMPLE | {"ticketId": ticket_id}))

    # Then the example is refused for globex; the same ticketId makes one ticket in each tenant
    assert refused.status_code == 403, refused.text
    assert [entry["code"] for entry in refused.json()["errorList"]] == ["SEL403"]
    assert theirs.status_code == 201, theirs.text
    assert theirs.json()["ticketNumber"].startswith("GLX-")
    assert mine.status_code == 201, mine.text
    assert mine.json()["id"] != theirs.json()["id"]
    # And acme cannot read globex's ticket
    assert api.get(theirs.json()["id"]).status == 404
