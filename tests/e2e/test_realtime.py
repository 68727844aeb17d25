"""The real-time push end to end: a token from the API, a WebSocket (the websocket-client package) to
the deployed WebSocket API, and the stack's events arriving on it."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import boto3
import pytest
import websocket

from tests.e2e.conftest import Client, Stack
from tests.e2e.test_assignment import wait_for

TICKET = {"customerExternalId": "user_42", "subject": "Live: parcel stuck", "priority": "HIGH"}
WAIT_SECONDS = 45  # a first message wakes a cold function, on a stack busy with the fuzz run's webhooks


class Dashboard:
    """One WebSocket connection, and what it received (JSON messages, in order)."""

    def __init__(self, socket: websocket.WebSocket) -> None:
        self.socket = socket
        self.received: list[dict[str, Any]] = []

    def send(self, document: dict[str, Any]) -> None:
        self.socket.send(json.dumps(document))

    def read_until(
        self, found: Callable[[dict[str, Any]], bool], what: str, seconds: float = WAIT_SECONDS
    ) -> dict[str, Any]:
        """The first message received (before or from now on) for which `found` is true."""
        deadline = time.monotonic() + seconds
        for message in self.received:
            if found(message):
                return message
        while time.monotonic() < deadline:
            self.socket.settimeout(max(0.1, deadline - time.monotonic()))
            try:
                message = json.loads(self.socket.recv())
            except websocket.WebSocketTimeoutException:
                break
            self.received.append(message)
            if found(message):
                return message
        raise AssertionError(f"{what} did not arrive within {seconds} s; got {self.received}")

    def subscribe(self, topics: list[str]) -> dict[str, Any]:
        """Subscribe, and the answer."""
        self.send({"action": "subscribe", "topics": topics})
        return self.read_until(lambda m: m["type"] == "subscribed", "the subscription's answer")

    def drain(self, seconds: float) -> None:
        """Whatever arrives within `seconds`."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self.socket.settimeout(max(0.05, deadline - time.monotonic()))
            try:
                self.received.append(json.loads(self.socket.recv()))
            except websocket.WebSocketTimeoutException:
                return

    def of_ticket(self, ticket_id: str) -> list[str]:
        return [
            m["type"] for m in self.received if m.get("data", {}).get("ticket", {}).get("id") == ticket_id
        ]


def token(client: Client) -> dict[str, Any]:
    response = client.request("POST", "/v1/realtime/tokens")
    assert response.status == 201, response.json
    return response.data  # type: ignore[no-any-return]


@contextmanager
def dashboard(client: Client) -> Iterator[Dashboard]:
    socket = websocket.create_connection(token(client)["url"], timeout=10)
    try:
        yield Dashboard(socket)
    finally:
        socket.close()


def refused(url: str) -> int:
    """The HTTP status a refused WebSocket handshake got."""
    with pytest.raises(websocket.WebSocketBadStatusException) as failure:
        websocket.create_connection(url, timeout=10)
    return int(failure.value.status_code)


@pytest.fixture
def agent(stack: Stack) -> Client:
    return Client(stack.api_url, stack.keys["agent"])


def test_a_token_connects_and_a_new_tickets_events_arrive_at_its_tenants_admin_only(
    api: Client, stack: Stack
) -> None:
    other = Client(stack.api_url, stack.keys["otherTenantAdmin"])
    with dashboard(api) as ours, dashboard(other) as theirs:
        # When
        ticket = api.create(TICKET).data

        # Then
        created = ours.read_until(
            lambda m: m["type"] == "ticket.created" and m["data"]["ticket"]["id"] == ticket["id"],
            "the new ticket's event",
        )
        assert created["data"]["actor"]["role"] == "admin"
        theirs.drain(2)
        assert theirs.of_ticket(ticket["id"]) == []


def test_the_assigned_agents_dashboard_hears_of_its_assignment(api: Client, agent: Client) -> None:
    # Given agent_n1 the only N1 agent with room (the demo's other, agent_n2, away for the test)
    room = {"available": True, "maxOpenTickets": 1000}
    assert api.request("PATCH", "/v1/agents/agent_n1", json=room).status == 200
    assert api.request("PATCH", "/v1/agents/agent_n2", json={"available": False}).status == 200
    try:
        with dashboard(agent) as mine:
            mine.subscribe(["mine"])

            # When a ticket comes in
            ticket = api.create(TICKET).data

            # Then the stream's assignment reaches agent_n1's dashboard
            assigned = mine.read_until(
                lambda m: m["type"] == "ticket.assigned" and m["data"]["ticket"]["id"] == ticket["id"],
                "the assignment's event",
            )
    finally:
        api.request("PATCH", "/v1/agents/agent_n2", json={"available": True})
    assert assigned["data"]["ticket"]["assignedAgent"]["id"] == "agent_n1"
    assert assigned["data"]["actor"]["role"] == "system"


def test_a_used_token_is_refused_and_a_missing_one_too(api: Client) -> None:
    issued = token(api)
    websocket.create_connection(issued["url"], timeout=10).close()
    assert refused(issued["url"]) == 403
    assert refused(issued["url"].split("?", 1)[0]) == 401


def test_a_bad_subscribe_is_answered_with_an_error(api: Client) -> None:
    with dashboard(api) as connection:
        connection.send({"action": "subscribe", "topics": ["everything"]})
        answer = connection.read_until(lambda m: m["type"] == "error", "the error")
        assert answer["error"]["code"] == "VALIDATION_ERROR"
        assert answer["error"]["details"][0]["field"].startswith("topics")


def test_a_dashboard_that_closed_reconnects_with_a_new_token(api: Client) -> None:
    with dashboard(api) as first:
        first.subscribe(["queue"])
    with dashboard(api) as again:
        ticket = api.create(TICKET).data
        again.read_until(
            lambda m: m["type"] == "ticket.created" and m["data"]["ticket"]["id"] == ticket["id"],
            "the event on the new connection",
        )


def test_a_closed_connection_is_cleaned_up(api: Client, stack: Stack) -> None:
    if stack.endpoint is None:
        pytest.skip("reads the local stack's table (a deployment's is not reachable from here)")
    # Given the connections open before (an earlier test's may still be closing)
    before = set(open_connections(stack))
    with dashboard(api) as connection:
        connection.subscribe(["queue"])
        (mine,) = set(open_connections(stack)) - before
    # When it closes, Then its item goes ($disconnect)
    wait_for(lambda: mine not in open_connections(stack), "the closed connection's item to go")


def open_connections(stack: Stack) -> list[str]:
    """The ids of the open connections in the local stack's table, read through the emulator."""
    assert stack.endpoint and stack.table_name, "the local stack file names its emulator and table"
    dynamodb = boto3.client(
        "dynamodb",
        endpoint_url=stack.endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )
    pages = dynamodb.get_paginator("scan").paginate(
        TableName=stack.table_name,
        FilterExpression="entity = :connection",
        ExpressionAttributeValues={":connection": {"S": "CONNECTION"}},
    )
    return [item["id"]["S"] for page in pages for item in page["Items"]]
