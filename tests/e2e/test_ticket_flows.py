"""The seed flows over HTTP, through API Gateway, the authorizer, Lambda and DynamoDB."""

from __future__ import annotations

import uuid

import requests

from tests.e2e.conftest import Client, Stack
from tests.support.documents import SUPPORTDESK_EXAMPLE

# SupportDesk's create example, exactly as its curl sends it.


def test_supportdesk_create_example_returns_the_ticket_in_the_envelope(api: Client) -> None:
    created = api.create(SUPPORTDESK_EXAMPLE)
    assert created.status == 201
    assert created.json["success"] is True
    ticket = created.data
    assert ticket["ticketNumber"].startswith("INV-")
    assert ticket["priority"] == "HIGH"
    assert ticket["channel"] == "API"
    assert ticket["metadata"] == {"orderId": "12345", "amount": 99.9}
    assert ticket["customer"] == {
        "id": ticket["customer"]["id"],
        "externalId": "user_42",
        "email": "john@acme.com",
        "name": "John Doe",
    }
    assert created.json["timestamp"].endswith("Z")


def test_the_key_works_as_a_bearer_token_too(stack: Stack) -> None:
    response = requests.get(
        f"{stack.api_url}/v1/tickets", headers={"Authorization": f"Bearer {stack.api_key}"}, timeout=30
    )
    assert response.status_code == 200
    assert response.json()["success"] is True


def test_list_filters_by_tag_and_status_with_stats_and_cursor_paging(api: Client, run_tag: str) -> None:
    # Given 7 tickets with this run's tag, 2 of them closed
    ids = [
        api.create(SUPPORTDESK_EXAMPLE | {"subject": f"Stuck order {n}", "tagIds": [run_tag]}).data["id"]
        for n in range(7)
    ]
    for ticket_id in ids[:2]:
        assert api.update(ticket_id, {"status": "CLOSED"}).status == 200
    # When paging through them three at a time, oldest first
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        query = {"tag": run_tag, "sort": "createdAt", "limit": "3"} | ({"cursor": cursor} if cursor else {})
        page = api.list(**query)
        assert page.status == 200
        pages += 1
        seen.extend(ticket["id"] for ticket in page.data)
        cursor = page.json["meta"]["nextCursor"]
        if cursor is None:
            break
    # Then every ticket came once, in creation order, over three pages
    assert seen == ids
    assert pages == 3
    # And the status filter sees only the closed ones; stats are the tenant's and count them
    closed_page = api.list(tag=run_tag, status="CLOSED")
    assert {ticket["id"] for ticket in closed_page.data} == set(ids[:2])
    stats = closed_page.json["stats"]
    assert stats["closed"] >= 2
    assert stats["total"] == stats["open"] + stats["closed"]
    assert sum(stats["byStatus"].values()) == stats["total"]


def test_a_cursor_reused_with_other_filters_is_rejected(api: Client, run_tag: str) -> None:
    for n in range(3):
        api.create(SUPPORTDESK_EXAMPLE | {"subject": f"Cursor {n}", "tagIds": [run_tag]})
    cursor = api.list(tag=run_tag, limit="1").json["meta"]["nextCursor"]
    response = api.list(tag=run_tag, limit="1", status="OPEN", cursor=cursor)
    assert response.status == 400
    assert response.error["code"] == "VALIDATION_ERROR"


def test_replies_as_agent_and_customer_then_close_and_reopen(api: Client) -> None:
    ticket = api.create(SUPPORTDESK_EXAMPLE).data
    number = ticket["ticketNumber"]

    agent_reply = api.reply(
        number, {"message": "We are looking into it.", "from": {"role": "AGENT", "name": "N1"}}
    )
    assert agent_reply.status == 201
    assert agent_reply.data["ticket"]["status"] == "WAITING_ON_CUSTOMER"
    assert agent_reply.data["ticket"]["awaitingResponseFrom"] == "CUSTOMER"

    customer_reply = api.reply(
        number, {"message": "Still failing.", "from": {"role": "CUSTOMER"}}, path_suffix="/messages"
    )
    assert customer_reply.status == 201
    # Back with its agent, or in the queue when automatic assignment has not picked it up
    replied = customer_reply.data["ticket"]
    assert replied["status"] == ("IN_PROGRESS" if replied["assignedAgent"] else "OPEN")
    assert customer_reply.data["ticket"]["awaitingResponseFrom"] == "AGENT"

    closed = api.update(number, {"status": "CLOSED"})
    assert closed.status == 200
    assert closed.data["closedAt"] is not None
    reopened = api.update(number, {"status": "OPEN"})
    assert reopened.data["closedAt"] is None

    got = api.get(number)
    assert got.status == 200
    assert [message["message"] for message in got.data["messages"]] == [
        "We are looking into it.",
        "Still failing.",
    ]
    assert [message["from"]["role"] for message in got.data["messages"]] == ["AGENT", "CUSTOMER"]
    assert got.data["messageCount"] == 2
    assert got.data["description"] == SUPPORTDESK_EXAMPLE["description"]


def test_creating_again_with_the_same_external_id_returns_the_first_ticket(api: Client) -> None:
    body = SUPPORTDESK_EXAMPLE | {"externalId": f"CASE-{uuid.uuid4()}"}
    first = api.create(body)
    again = api.create(body)
    assert (first.status, again.status) == (201, 200)
    assert again.data["id"] == first.data["id"]
    assert again.data["ticketNumber"] == first.data["ticketNumber"]


def test_errors_come_in_the_envelope_with_the_right_status(api: Client, stack: Stack) -> None:
    unknown_customer = api.create(SUPPORTDESK_EXAMPLE | {"customerExternalId": f"nobody_{uuid.uuid4().hex}"})
    assert (unknown_customer.status, unknown_customer.error["code"]) == (404, "CUSTOMER_NOT_FOUND")

    bad_priority = api.create(SUPPORTDESK_EXAMPLE | {"priority": "SEVERE"})
    assert (bad_priority.status, bad_priority.error["code"]) == (400, "VALIDATION_ERROR")
    assert [detail["field"] for detail in bad_priority.json["error"]["details"]] == ["priority"]

    malformed = api.request(
        "POST", "/v1/tickets", data='{"subject": ', headers={"Content-Type": "application/json"}
    )
    assert (malformed.status, malformed.error["code"]) == (400, "VALIDATION_ERROR")

    unknown_ticket = api.get("INV-999999999")
    assert (unknown_ticket.status, unknown_ticket.error["code"]) == (404, "TICKET_NOT_FOUND")

    no_key = Client(stack.api_url, None).list()
    assert (no_key.status, no_key.error["code"]) == (401, "UNAUTHORIZED")
    wrong_key = Client(stack.api_url, "tk_live_" + "x" * 43).list()
    assert (wrong_key.status, wrong_key.error["code"]) == (401, "UNAUTHORIZED")
    # A 401 names the scheme to authenticate with (RFC 9110)
    for refused in (no_key, wrong_key):
        headers = {name.lower(): value for name, value in refused.headers.items()}
        assert headers["www-authenticate"] == "Bearer"


def test_another_tenants_ticket_does_not_exist_for_this_tenant(api: Client, stack: Stack) -> None:
    other = Client(stack.api_url, stack.keys["otherTenantAdmin"])
    ticket = api.create(SUPPORTDESK_EXAMPLE).data
    assert other.get(ticket["id"]).status == 404
    assert other.update(ticket["id"], {"status": "CLOSED"}).status == 404
    assert api.get(ticket["id"]).data["closedAt"] is None


def test_a_customer_put_over_http_can_open_tickets_and_stays_in_its_tenant(api: Client, stack: Stack) -> None:
    external_id = f"cus_{uuid.uuid4().hex[:12]}"
    put = api.request("PUT", f"/v1/customers/{external_id}", json={"email": "ann@example.com", "name": "Ann"})
    assert put.status == 201
    assert api.request("GET", f"/v1/customers/{external_id}").data["email"] == "ann@example.com"
    ticket = api.create({"customerExternalId": external_id, "subject": "Where is my parcel?"})
    assert ticket.status == 201
    assert ticket.data["customer"]["name"] == "Ann"
    other = Client(stack.api_url, stack.keys["otherTenantAdmin"])
    assert other.request("GET", f"/v1/customers/{external_id}").status == 404


def test_a_reply_retried_with_its_idempotency_key_is_written_once(api: Client) -> None:
    # Given a ticket, and a reply sent with a key whose answer the integration did not get
    ticket = api.create({"customerExternalId": "user_42", "subject": "Retry me"}).data
    key = {"Idempotency-Key": str(uuid.uuid4())}
    first = api.request("POST", f"/v1/tickets/{ticket['id']}/messages", json={"message": "Once"}, headers=key)
    # When it retries with the same key
    again = api.request("POST", f"/v1/tickets/{ticket['id']}/messages", json={"message": "Once"}, headers=key)
    # Then the answer is the first one and there is one message
    assert first.status == again.status == 201
    assert again.json == first.json
    assert again.headers["Idempotent-Replayed"] == "true"
    assert api.get(ticket["id"]).data["messageCount"] == 1
    # And the key for another body is a 409
    other = api.request(
        "POST", f"/v1/tickets/{ticket['id']}/messages", json={"message": "Twice"}, headers=key
    )
    assert other.status == 409
    assert other.error["code"] == "IDEMPOTENCY_KEY_REUSED"


def test_a_deleted_ticket_is_gone_for_reads_writes_and_a_second_delete(api: Client) -> None:
    # Given a ticket with a reply
    ticket = api.create(SUPPORTDESK_EXAMPLE | {"subject": "To be deleted"}).data
    assert api.reply(ticket["ticketNumber"], {"message": "Looking into it"}).status == 201

    # When an admin deletes it by its number
    deleted = api.session.delete(f"{api.base_url}/v1/tickets/{ticket['ticketNumber']}", timeout=30)

    # Then it is 204 with no body, and the ticket is 404 to read, change and delete again
    assert deleted.status_code == 204, deleted.text
    assert deleted.content == b""
    assert api.get(ticket["id"]).status == 404
    assert api.update(ticket["id"], {"priority": "LOW"}).status == 404
    again = api.session.delete(f"{api.base_url}/v1/tickets/{ticket['id']}", timeout=30)
    assert again.status_code == 404
    assert again.json()["error"]["code"] == "TICKET_NOT_FOUND"
