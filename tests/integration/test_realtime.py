"""The real-time push: tokens, connections, and each event posted to the tenant's connections that may
read it, through the real REST route, WebSocket handlers, stream and push function
(tests/support/realtime.py)."""

from __future__ import annotations

import json
import time
from datetime import timedelta
from typing import Any

import pytest

from tests.support.factories import Seeder
from tests.support.handlers import Api
from tests.support.moto_table import table_items
from tests.support.realtime import Realtime
from tests.support.streams import StreamPump
from tickets import clients, keys
from tickets.ids import utc_now
from tickets.logic import push
from tickets.logic.api_keys import key_hash
from tickets.models.domain import OPERATOR, Agent
from tickets.models.enums import AgentLevel, Role
from tickets.models.realtime import Connection, Grant
from tickets.settings import get_settings
from tickets.store.agents import AgentStore
from tickets.store.realtime import RealtimeStore
from tickets.store.table import typed_key

TICKET: dict[str, Any] = {"customerExternalId": "user_42", "subject": "Parcel stuck", "priority": "HIGH"}


@pytest.fixture
def realtime(seed: Seeder) -> Realtime:
    return Realtime()


@pytest.fixture
def stream(table: str, seed: Seeder) -> StreamPump:
    pump = StreamPump(table)
    assert pump.run_until_quiet() == []
    return pump


@pytest.fixture
def store(table: str) -> RealtimeStore:
    return RealtimeStore(clients.dynamodb(), table)


def settle(stream: StreamPump, realtime: Realtime) -> None:
    """What was written so far, through the stream and the bus, pushed."""
    assert stream.run_until_quiet() == []
    realtime.push()


def stored_connection(connection_id: str) -> dict[str, Any] | None:
    item = clients.dynamodb().get_item(
        TableName=get_settings().table_name, Key=typed_key(keys.connection_key(connection_id))
    )
    return item.get("Item")


# Tokens --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "agent"), [("admin", None), ("integration", None), ("agent", "agent_n1")])
def test_any_key_gets_a_token_for_the_websocket_good_for_a_minute(
    api: Api, role: str, agent: str | None
) -> None:
    # When
    before = utc_now()
    response = Api("acme", role=role, agent_id=agent).create_realtime_token()

    # Then
    assert response.status == 201, response.json
    token = response.data["token"]
    assert token.startswith("rt_") and len(token) == 46
    assert response.data["url"] == f"wss://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/live?token={token}"
    expires_at = response.data["expiresAt"]
    assert (before + timedelta(seconds=59)).isoformat()[:19] <= expires_at[:19]
    assert expires_at[:19] <= (utc_now() + timedelta(seconds=61)).isoformat()[:19]
    # And the table holds its hash only
    assert token not in json.dumps(table_items())
    assert key_hash(token) in json.dumps(table_items())


def test_a_token_opens_one_connection_only(api: Api, realtime: Realtime) -> None:
    token = api.create_realtime_token().data["token"]
    first, second = realtime.authorize(token), realtime.authorize(token)
    assert first["policyDocument"]["Statement"][0]["Effect"] == "Allow"
    assert first["context"] == {"tenantId": "acme", "role": "admin", "keyId": "key_acme"}
    assert second["policyDocument"]["Statement"][0]["Effect"] == "Deny"


def test_an_agent_keys_token_names_its_agent(realtime: Realtime) -> None:
    token = Api("acme", role="agent", agent_id="agent_n1").create_realtime_token().data["token"]
    assert realtime.authorize(token)["context"]["agentId"] == "agent_n1"


@pytest.mark.parametrize(
    "token",
    [None, "", "rt_short", "tk_live_" + "a" * 38, "rt_" + "a" * 43],
    ids=["missing", "empty", "malformed", "an API key", "unknown"],
)
def test_a_token_missing_malformed_or_unknown_is_refused(realtime: Realtime, token: str | None) -> None:
    policy = realtime.authorize(token)
    assert policy["policyDocument"]["Statement"][0]["Effect"] == "Deny"
    assert "context" not in policy


def test_an_expired_token_is_refused(realtime: Realtime, store: RealtimeStore) -> None:
    token = "rt_" + "e" * 43
    grant = Grant(tenant_id="acme", role=Role.ADMIN, key_id="key_acme")
    store.add_token(key_hash(token), grant, int(time.time()) - 1)  # the TTL deletes late
    assert realtime.authorize(token)["policyDocument"]["Statement"][0]["Effect"] == "Deny"


def test_a_replayed_token_request_never_shows_a_token_again(api: Api) -> None:
    headers = {"Idempotency-Key": "token-1"}
    first, replay = api.create_realtime_token(headers=headers), api.create_realtime_token(headers=headers)
    assert first.data["token"] is not None
    assert (replay.status, replay.data["token"], replay.data["url"]) == (201, None, None)
    assert replay.headers.get("Idempotent-Replayed") == "true"
    assert first.data["token"] not in json.dumps(table_items())


# Who hears what ------------------------------------------------------------------------------------


def test_a_new_tickets_events_reach_its_tenants_connections_and_no_other_tenants(
    api: Api, seed: Seeder, realtime: Realtime, stream: StreamPump
) -> None:
    # Given an admin and an integration connection of acme, and an admin connection of globex
    seed.tenant("globex", prefix="GLX", name="Globex")
    ours = realtime.connect(api)
    integration = realtime.connect(Api("acme", role="integration"))
    theirs = realtime.connect(Api("globex"))

    # When a ticket is created (and assigned by the stream)
    ticket = api.create(TICKET).data
    settle(stream, realtime)

    # Then both of acme's connections hear of it, as {type, timestamp, data}; globex's nothing
    expected = ["ticket.created", "ticket.status_changed", "ticket.assigned"]
    assert sorted(realtime.sockets.types(ours)) == sorted(expected)
    assert sorted(realtime.sockets.types(integration)) == sorted(expected)
    assert realtime.sockets.types(theirs) == []
    created = next(m for m in realtime.sockets.sent[ours] if m["type"] == "ticket.created")
    assert set(created) == {"type", "timestamp", "data"}
    assert (created["data"]["tenantId"], created["data"]["ticket"]["id"]) == ("acme", ticket["id"])


def test_an_agent_hears_of_its_tickets_and_the_queue_and_not_of_another_agents_tickets(
    api: Api, agents: AgentStore, realtime: Realtime, stream: StreamPump
) -> None:
    # Given agent_n1 (whom the assignment picks) and agent_n2 (an N2: never picked), each connected
    agents.put_agent(
        Agent(tenant_id="acme", id="agent_n2", name="Agent N2", level=AgentLevel.N2, created_at=utc_now())
    )
    stream.skip()
    n1 = realtime.connect(Api("acme", role="agent", agent_id="agent_n1"))
    n2 = realtime.connect(Api("acme", role="agent", agent_id="agent_n2"))

    # When a new ticket (in the queue, then assigned to agent_n1) is moved to agent_n2, then answered
    ticket = api.create(TICKET).data
    settle(stream, realtime)
    assigned_by_stream = list(realtime.sockets.types(n2))
    assert api.update(ticket["id"], {"assignedAgentId": "agent_n2"}).status == 200
    settle(stream, realtime)
    assert (
        api.reply(ticket["id"], {"message": "On it", "from": {"role": "AGENT", "id": "agent_n2"}}).status
        == 201
    )
    settle(stream, realtime)

    # Then both heard of it while it was in the queue and as it left it; agent_n1 of losing it; only
    # agent_n2, whose it is now, of the reply
    assert "ticket.created" in assigned_by_stream and "ticket.assigned" in assigned_by_stream
    n1_heard, n2_heard = realtime.sockets.types(n1), realtime.sockets.types(n2)
    assert n1_heard.count("ticket.assigned") == 2  # to agent_n1, then from agent_n1 to agent_n2
    assert "message.created" not in n1_heard
    assert "message.created" in n2_heard


def test_an_agent_hears_nothing_of_another_agents_ticket(
    api: Api, realtime: Realtime, stream: StreamPump
) -> None:
    # Given a ticket assigned to agent_n1, and another agent's connection
    ticket = api.create(TICKET).data
    settle(stream, realtime)
    other = realtime.connect(Api("acme", role="agent", agent_id="agent_other"))

    # When it is updated
    assert api.update(ticket["id"], {"priority": "URGENT"}).status == 200
    settle(stream, realtime)

    # Then
    assert realtime.sockets.types(other) == []


def test_customer_and_agent_events_reach_admin_and_integration_keys_but_not_agents(
    api: Api, realtime: Realtime, stream: StreamPump
) -> None:
    admin = realtime.connect(api)
    integration = realtime.connect(Api("acme", role="integration"))
    agent = realtime.connect(Api("acme", role="agent", agent_id="agent_n1"))

    assert api.patch_agent("agent_n1", {"name": "Agent One"}).status == 200
    settle(stream, realtime)

    assert realtime.sockets.types(admin) == ["agent.updated"]
    assert realtime.sockets.types(integration) == ["agent.updated"]
    assert realtime.sockets.types(agent) == []


# Subscriptions -------------------------------------------------------------------------------------


def test_a_subscription_narrows_a_connection_to_one_ticket(
    api: Api, realtime: Realtime, stream: StreamPump
) -> None:
    # Given two tickets and an admin connection subscribed to the first
    first, second = api.create(TICKET).data, api.create(TICKET).data
    settle(stream, realtime)
    admin = realtime.connect(api)
    realtime.send(admin, json.dumps({"action": "subscribe", "topics": [f"ticket:{first['id']}"]}))

    # When both change
    for ticket in (first, second):
        assert api.update(ticket["id"], {"priority": "LOW"}).status == 200
    settle(stream, realtime)

    # Then it is told its subscription, and then only of the first
    answer, *events = realtime.sockets.sent[admin]
    assert answer == {"type": "subscribed", "topics": [f"ticket:{first['id']}"]}
    assert [(m["type"], m["data"]["ticket"]["id"]) for m in events] == [("ticket.updated", first["id"])]


def test_an_agent_subscribed_to_mine_hears_nothing_of_the_queue(
    api: Api, realtime: Realtime, stream: StreamPump, agents: AgentStore
) -> None:
    # Given agent_n1 unavailable (tickets stay in the queue), connected and subscribed to its own
    agents.change_agent("acme", "agent_n1", {"available": False}, by=OPERATOR, at=utc_now())
    stream.skip()
    n1 = realtime.connect(Api("acme", role="agent", agent_id="agent_n1"))
    realtime.send(n1, json.dumps({"action": "subscribe", "topics": ["mine"]}))

    # When a ticket waits in the queue, and then one is assigned to it by hand
    api.create(TICKET)
    mine = api.create(TICKET).data
    assert api.update(mine["id"], {"assignedAgentId": "agent_n1"}).status == 200
    settle(stream, realtime)

    # Then it hears only of the one that is its
    heard = realtime.sockets.sent[n1][1:]
    assert heard and {m["data"]["ticket"]["id"] for m in heard} == {mine["id"]}


SUBSCRIBE = {"action": "subscribe", "topics": ["queue"]}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param("not json", "body", id="not-json"),
        pytest.param("[]", "body", id="not-an-object"),
        pytest.param(json.dumps({"action": "subscribe"}), "topics", id="no-topics"),
        pytest.param(json.dumps(SUBSCRIBE | {"topics": "queue"}), "topics", id="topics-not-a-list"),
        pytest.param(json.dumps(SUBSCRIBE | {"topics": []}), "topics", id="no-topic"),
        pytest.param(json.dumps(SUBSCRIBE | {"topics": ["everything"]}), "topics.0", id="unknown-topic"),
        pytest.param(json.dumps(SUBSCRIBE | {"topics": ["ticket:../x"]}), "topics.0", id="hostile-ticket-id"),
        pytest.param(json.dumps(SUBSCRIBE | {"topics": ["queue", "queue"]}), "topics", id="twice"),
        pytest.param(
            json.dumps(SUBSCRIBE | {"topics": [f"ticket:{n:026d}" for n in range(21)]}),
            "topics",
            id="over-20",
        ),
        pytest.param(json.dumps(SUBSCRIBE | {"extra": 1}), "extra", id="unknown-field"),
        pytest.param(json.dumps(SUBSCRIBE | {"topics": [7]}), "topics.0", id="not-a-string"),
    ],
)
def test_a_bad_subscribe_is_answered_with_an_error_naming_the_field_and_changes_nothing(
    api: Api, realtime: Realtime, body: str, field: str
) -> None:
    # Given
    connection = realtime.connect(api)
    before = stored_connection(connection)

    # When
    realtime.send(connection, body)

    # Then
    (answer,) = realtime.sockets.sent[connection]
    assert answer["type"] == "error" and answer["error"]["code"] == "VALIDATION_ERROR"
    named = [detail["field"] for detail in answer["error"]["details"]]
    assert any(name == field or name.startswith(f"{field}.") for name in named), answer
    assert stored_connection(connection) == before


def test_an_unknown_action_is_answered_with_an_error_saying_what_to_send(
    api: Api, realtime: Realtime
) -> None:
    connection = realtime.connect(api)
    realtime.send(connection, json.dumps({"action": "listen"}), route="$default")
    (answer,) = realtime.sockets.sent[connection]
    assert answer["type"] == "error" and '"subscribe"' in answer["error"]["message"]


# Connections ---------------------------------------------------------------------------------------


def test_a_connection_is_stored_for_two_hours_and_forgotten_on_disconnect(
    api: Api, realtime: Realtime
) -> None:
    connection = realtime.connect(Api("acme", role="agent", agent_id="agent_n1"))
    stored = stored_connection(connection)
    assert stored is not None
    assert (stored["tenantId"]["S"], stored["role"]["S"], stored["agentId"]["S"]) == (
        "acme",
        "agent",
        "agent_n1",
    )
    assert int(stored["expiresAt"]["N"]) - time.time() == pytest.approx(2 * 3600, abs=60)

    realtime.disconnect(connection)

    assert stored_connection(connection) is None


def test_gone_connections_are_forgotten_and_hold_back_no_other(
    api: Api, realtime: Realtime, stream: StreamPump, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given three connections opened a minute ago, the middle one gone without a $disconnect
    first, gone, last = (realtime.connect(api) for _ in range(3))
    realtime.sockets.gone.add(gone)
    monkeypatch.setattr(push, "utc_now", lambda: utc_now() + timedelta(minutes=1))

    # When an event is pushed, then another
    api.create(TICKET)
    settle(stream, realtime)
    posts_after_first = realtime.sockets.posts
    api.create(TICKET)
    settle(stream, realtime)

    # Then the others got every event, and the gone one was forgotten at its first post
    assert len(realtime.sockets.sent[first]) == len(realtime.sockets.sent[last]) == 6
    assert stored_connection(gone) is None
    assert realtime.sockets.posts - posts_after_first == 2 * 3  # no post to the gone one any more


def test_a_connection_still_opening_is_not_forgotten_when_a_post_finds_it_not_open_yet(
    api: Api, realtime: Realtime, stream: StreamPump
) -> None:
    # Given a connection whose $connect has stored it, while API Gateway answers 410 for it, since it
    # has not opened it yet
    opening = realtime.connect(api)
    realtime.sockets.gone.add(opening)

    # When an event is pushed to it in that time
    api.create(TICKET)
    settle(stream, realtime)

    # Then it is kept: once open, it subscribes and hears its events
    assert stored_connection(opening) is not None
    realtime.sockets.gone.discard(opening)
    realtime.send(opening, json.dumps({"action": "subscribe", "topics": ["queue"]}))
    assert realtime.sockets.sent[opening][-1] == {"type": "subscribed", "topics": ["queue"]}
    heard = len(realtime.sockets.sent[opening])
    ticket = api.create(TICKET).data
    settle(stream, realtime)
    assert "ticket.created" in realtime.sockets.types(opening)[heard:]
    assert {m["data"]["ticket"]["id"] for m in realtime.sockets.sent[opening][heard:]} == {ticket["id"]}


def test_a_subscribe_on_a_connection_no_longer_stored_is_told_to_reconnect(
    api: Api, realtime: Realtime
) -> None:
    # Given a connection whose item is gone (its $disconnect ran while a message was on its way)
    connection = realtime.connect(api)
    clients.dynamodb().delete_item(
        TableName=get_settings().table_name, Key=typed_key(keys.connection_key(connection))
    )

    # When it subscribes
    realtime.send(connection, json.dumps({"action": "subscribe", "topics": ["queue"]}))

    # Then it is told to open a new one, and nothing is stored
    (answer,) = realtime.sockets.sent[connection]
    assert answer["type"] == "error" and answer["error"]["code"] == "UNAUTHORIZED"
    assert "new token" in answer["error"]["message"]
    assert stored_connection(connection) is None


def test_two_thousand_connections_of_a_tenant_all_get_every_event(
    api: Api, realtime: Realtime, stream: StreamPump, store: RealtimeStore
) -> None:
    # Given 2,000 open dashboards of acme, and 5 of another tenant
    now = utc_now()
    for number in range(2005):
        tenant = "acme" if number < 2000 else "globex"
        connection = Connection(
            id=f"bulk{number:05d}=", tenant_id=tenant, role=Role.ADMIN, key_id="key", connected_at=now
        )
        store.add_connection(connection, int(now.timestamp()) + 3600)

    # When one event is pushed
    assert api.patch_agent("agent_n1", {"name": "Agent One"}).status == 200
    settle(stream, realtime)

    # Then each of acme's got it once, and no other tenant's
    assert len(realtime.sockets.sent) == 2000
    assert all(messages == [messages[0]] for messages in realtime.sockets.sent.values())
    assert not any(connection_id >= "bulk02000=" for connection_id in realtime.sockets.sent)
