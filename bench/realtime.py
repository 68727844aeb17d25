"""Section 9: the real-time push. A tenant with 1, 10 and 1,000 open connections (admin keys: each
receives every event); tickets created through the API; the stream publishes their events, and
tests/support/realtime.py hands each to the real push function, as the bus's rule invokes it. Counted:
the push's AWS calls, read units and posts per event. Timed, in process: the push of one event, next
to one bare post (the floor), in the same run. Priced: a million pushes at API Gateway's WebSocket
prices, with the push function's invocation and reads shared by an event's connections.

Then on a local stack of its own (MiniStack, deployed with sam build and sam deploy as `make run`
does): a WebSocket client, and the time from a create's answer to its ticket.created on the socket,
next to the floor of a message's round trip through the same WebSocket API (subscribe, answered by the
message function on the connection)."""

from __future__ import annotations

import json
import shutil
import socket
import statistics
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import requests
import websocket

from bench import world
from bench.aws import mocked_aws, quiet
from bench.capacity import Units
from bench.cost import PRICES, Price
from bench.recorder import Recorder
from bench.report import Budget, Section
from tests.support import local_stack
from tests.support.aws import ROOT
from tests.support.realtime import Realtime
from tests.support.streams import StreamPump
from tickets import clients
from tickets.ids import utc_now
from tickets.models.enums import Role
from tickets.models.realtime import Connection
from tickets.notify.connections import ConnectionPoster
from tickets.settings import get_realtime_settings
from tickets.store.realtime import RealtimeStore

CONNECTIONS = (1, 10, 1000)
WEBSOCKET_MESSAGES = Price(
    "API Gateway WebSocket, messages",
    1.00,
    1e6,
    "per million messages of up to 32 KB (first billion a month)",
    "us-east-1, as published in 2025; aws.amazon.com/api-gateway/pricing",
)
CONNECTION_MINUTES = Price(
    "API Gateway WebSocket, connection minutes",
    0.25,
    1e6,
    "per million connection minutes",
    "us-east-1, as published in 2025; aws.amazon.com/api-gateway/pricing",
)


@dataclass
class Fanout:
    connections: int
    events: int
    posts: int
    calls: Counter[str]
    units: Units
    push_seconds: list[float]  # one event's push each
    post_seconds: list[float]  # one bare post each (the floor)
    largest_message: int


def _fanout(table: str, connections: int, tickets: int) -> Fanout:
    scene = world.seed(table, capacity=tickets)
    realtime = Realtime()
    stream = StreamPump(table)
    stream.skip()
    store = RealtimeStore(clients.dynamodb(), table)
    now = utc_now()
    for number in range(connections):
        connection = Connection(
            id=f"bench{number:05d}=", tenant_id=world.TENANT, role=Role.ADMIN, key_id="k", connected_at=now
        )
        store.add_connection(connection, int(now.timestamp()) + 3600)
    for _ in range(tickets):
        assert scene.api.create(world.body("create_ticket.json")).status == 201
    assert not stream.run_until_quiet()
    timed: list[float] = []
    with Recorder(units=True) as recorder:
        while True:
            started = time.perf_counter()
            if not realtime.push_one():
                break
            timed.append(time.perf_counter() - started)
    events = len(timed)
    poster = ConnectionPoster(clients.connections(get_realtime_settings().management_url))
    floor = []
    for _ in range(min(50, events)):
        started = time.perf_counter()
        poster.post("bench00000=", b"{}")
        floor.append(time.perf_counter() - started)
    calls = Counter(call.name for call in recorder.calls)
    return Fanout(
        connections=connections,
        events=events,
        posts=calls["apigatewaymanagementapi:PostToConnection"],
        calls=calls,
        units=recorder.total_units(),
        push_seconds=timed,
        post_seconds=floor,
        largest_message=max(realtime.sockets.sizes, default=0),
    )


@dataclass
class LocalLatency:
    write_to_push: list[float]
    round_trip: list[float]  # the floor: a message to the WebSocket API and its answer


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _receive(socket_: websocket.WebSocket, found: Callable[[dict[str, Any]], bool]) -> float:
    """When (time.monotonic) the first message for which `found` is true arrived."""
    socket_.settimeout(30)
    while True:
        message: dict[str, Any] = json.loads(socket_.recv())
        if found(message):
            return time.monotonic()


def _created(ticket_id: str) -> Callable[[dict[str, Any]], bool]:
    def found(message: dict[str, Any]) -> bool:
        return bool(message["type"] == "ticket.created" and message["data"]["ticket"]["id"] == ticket_id)

    return found


def measure_local(events: int) -> LocalLatency:
    state = ROOT / ".local" / "bench-realtime"
    profile = local_stack.Profile("bench", _free_port(), state, state / "stack.json")
    stack = local_stack.up(profile, fresh=True)
    try:
        session = requests.Session()
        session.headers["X-API-Key"] = stack["apiKey"]
        token = session.post(f"{stack['apiUrl']}/v1/realtime/tokens", timeout=30).json()["data"]
        socket_ = websocket.create_connection(token["url"], timeout=30)
        floor = []
        for _ in range(events + 1):  # the first wakes the message function (a cold start): not timed
            started = time.monotonic()
            socket_.send(json.dumps({"action": "subscribe", "topics": ["queue"]}))
            floor.append(_receive(socket_, lambda m: m["type"] == "subscribed") - started)
        delays = []
        body = world.body("create_ticket.json")
        for _ in range(events + 1):  # the first wakes the API's, the stream's and the push's functions
            created = session.post(f"{stack['apiUrl']}/v1/tickets", json=body, timeout=30)
            answered = time.monotonic()
            ticket_id = created.json()["data"]["id"]
            arrived = _receive(socket_, _created(ticket_id))
            delays.append(arrived - answered)
        socket_.close()
        floor, delays = floor[1:], delays[1:]
    finally:
        local_stack.stop_ministack(profile)
        shutil.rmtree(state, ignore_errors=True)
    return LocalLatency(delays, floor)


def measure(tickets: int, local_events: int) -> tuple[list[Fanout], LocalLatency | None]:
    fanouts = []
    for connections in CONNECTIONS:
        with mocked_aws() as table, quiet():
            fanouts.append(_fanout(table, connections, tickets))
    return fanouts, measure_local(local_events) if local_events else None


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


def _per_million_pushes(fanout: Fanout) -> float:
    """$ for a million pushes: each a message; each event's invocation and Query reads shared by the
    pushes it made."""
    pushes_per_event = fanout.posts / fanout.events
    per_event = PRICES["lambda"].usd / PRICES["lambda"].per + (
        fanout.units.reads / fanout.events * PRICES["rru"].usd / PRICES["rru"].per
    )
    per_push = WEBSOCKET_MESSAGES.usd / WEBSOCKET_MESSAGES.per + per_event / pushes_per_event
    return per_push * 1e6


def report(measured: tuple[list[Fanout], LocalLatency | None]) -> Section:
    fanouts, local = measured
    section = Section("9. Real-time push")
    section.add(
        "A tenant with this many open WebSocket connections, admin keys (each receives every event); "
        "tickets created through the API, each making three events (created, then the stream's "
        "assignment: status changed and assigned); each event handed to the push function "
        "(`tests/support/realtime.py`; moto takes the posts). *push ms*: one event's push in process "
        "(read the connections, 32 posts at a time); the floor, one bare post to moto.",
        "",
    )
    rows = []
    for fanout in fanouts:
        dynamodb = {name: count for name, count in fanout.calls.items() if ":" not in name}
        rows.append(
            [
                fanout.connections,
                fanout.events,
                f"{fanout.posts / fanout.events:g}",
                ", ".join(f"{name} {count / fanout.events:g}" for name, count in sorted(dynamodb.items())),
                f"{fanout.units.reads / fanout.events:g}",
                f"{statistics.median(fanout.push_seconds) * 1e3:.1f}",
                f"{statistics.median(fanout.post_seconds) * 1e3:.2f}",
                f"${_per_million_pushes(fanout):,.2f}",
            ]
        )
    section.table(
        [
            "connections",
            "events",
            "posts / event",
            "DynamoDB calls / event",
            "RRU / event",
            "push ms / event (median)",
            "floor: one post, ms (median)",
            "$ per million pushes",
        ],
        rows,
    )
    largest = max(fanout.largest_message for fanout in fanouts)
    section.add(
        f"A push is one WebSocket message ({WEBSOCKET_MESSAGES.item}: ${WEBSOCKET_MESSAGES.usd:g} "
        f"{WEBSOCKET_MESSAGES.unit}; the largest here was {largest:,} bytes, one 32 KB unit). The event's "
        f"push function invocation (${PRICES['lambda'].usd:g} per million) and its Query of the "
        "connections are shared by the pushes it makes; duration is left out. An open dashboard also "
        f"costs ${CONNECTION_MINUTES.usd:g} {CONNECTION_MINUTES.unit}: one open 8 hours a day for "
        f"22 days, ${8 * 60 * 22 * CONNECTION_MINUTES.usd / CONNECTION_MINUTES.per:.4f} a month. "
        "Prices as in section 2b.",
        "",
    )
    if local is not None:
        section.add(
            f"On a local stack of its own (MiniStack, `sam deploy`), one WebSocket client: from a create's "
            f"answer to its ticket.created on the socket, {len(local.write_to_push)} tickets one at a time: "
            f"median {statistics.median(local.write_to_push) * 1e3:.0f} ms, p95 "
            f"{_p95(local.write_to_push) * 1e3:.0f} ms (the table's stream, the stream function, the bus, "
            "the push function). The floor, a message's round trip through the same WebSocket API "
            "(subscribe, answered on the connection): median "
            f"{statistics.median(local.round_trip) * 1e3:.0f} ms, "
            f"p95 {_p95(local.round_trip) * 1e3:.0f} ms. On AWS the stream's batching window (1 s) "
            "comes on top.",
            "",
        )
    for fanout in fanouts:
        pages = fanout.calls.get("Query", 0) / fanout.events
        section.budgets.append(
            Budget(
                f"push of an event to {fanout.connections} connection(s): posts, DynamoDB round trips",
                f"{fanout.connections} posts, 1 Query (one page reads about 1 MB of connections)",
                f"{fanout.posts / fanout.events:g} posts, {pages:g} Query",
                fanout.posts / fanout.events == fanout.connections and pages <= 1,
            )
        )
    return section
