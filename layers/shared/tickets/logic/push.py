"""An event's fan-out to its tenant's WebSocket connections (README, Real-time): what each connection
receives (its key's role, its topics), and the posts."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta

from aws_lambda_powertools.metrics import MetricUnit

from tickets.ids import utc_now
from tickets.logic.events import event_document
from tickets.models.domain import EventEnvelope
from tickets.models.enums import Role
from tickets.models.realtime import (
    MINE_TOPIC,
    OPENING_SECONDS,
    QUEUE_TOPIC,
    TICKET_TOPIC_PREFIX,
    Connection,
)
from tickets.notify.connections import ConnectionPoster, Posted
from tickets.observability import metrics
from tickets.store.realtime import RealtimeStore

# API Gateway's largest WebSocket message is 128 KB: a bigger event goes without its message's text.
MAX_MESSAGE_BYTES = 128 * 1024
PUSH_THREADS = 32  # posts in flight at once, per event


def _agents_concerned(envelope: EventEnvelope) -> set[str | None]:
    """Whose the event's ticket is, or was just before it (None: the queue's): an agent hears of a
    ticket taken from it, and the queue of a ticket that left it."""
    ticket = envelope.ticket
    if ticket is None:
        return set()
    concerned: set[str | None] = {ticket.assigned_agent.id if ticket.assigned_agent else None}
    for change in envelope.changes:
        if change.field == "assignedAgent":
            concerned.add(change.from_["id"] if isinstance(change.from_, dict) else None)
    return concerned


def _may_receive(connection: Connection, envelope: EventEnvelope) -> bool:
    """What the connection's key may read: an agent key its own tickets and the queue's; an
    integration or admin key everything of its tenant."""
    if connection.role != Role.AGENT:
        return True
    concerned = _agents_concerned(envelope)
    return connection.agent_id in concerned or None in concerned


def _matches(connection: Connection, envelope: EventEnvelope, topic: str) -> bool:
    concerned = _agents_concerned(envelope)
    if topic == QUEUE_TOPIC:
        return None in concerned
    if topic == MINE_TOPIC:
        return connection.agent_id is not None and connection.agent_id in concerned
    ticket_id = topic.removeprefix(TICKET_TOPIC_PREFIX)
    return envelope.ticket is not None and envelope.ticket.id == ticket_id


def receives(connection: Connection, envelope: EventEnvelope) -> bool:
    """Whether the connection is told of the event: its tenant's, readable by its key, and within the
    topics it subscribed to (none: all it may receive)."""
    if connection.tenant_id != envelope.tenant_id or not _may_receive(connection, envelope):
        return False
    return connection.topics is None or any(_matches(connection, envelope, t) for t in connection.topics)


def _may_be_opening(connection: Connection, now: datetime) -> bool:
    """A 410 for a connection this young may be its $connect still running, not its client gone:
    forgetting it then would leave an open WebSocket that receives nothing and is not subscribed."""
    return now - connection.connected_at < timedelta(seconds=OPENING_SECONDS)


def push_document(envelope: EventEnvelope) -> bytes:
    """The event as a connection gets it; without the message's text when it would be too big (the
    client reads the message from the API)."""
    body = event_document(envelope).encode()
    if len(body) > MAX_MESSAGE_BYTES and envelope.message is not None:
        body = event_document(envelope.model_copy(update={"message": None})).encode()
    return body


@dataclass(frozen=True)
class PushReport:
    posted: int
    gone: int
    failed: int


class Pusher:
    def __init__(self, store: RealtimeStore, poster: ConnectionPoster) -> None:
        self._store = store
        self._poster = poster

    def push(self, envelope: EventEnvelope) -> PushReport:
        """Post the event to every connection of its tenant that receives it, many at once, so a slow
        connection holds up no other; a gone one is forgotten, unless it may still be opening. A post
        that fails otherwise is not retried: the dashboard's next event, or its reconnect, brings it
        up to date."""
        targets = [c for c in self._store.tenant_connections(envelope.tenant_id) if receives(c, envelope)]
        body = push_document(envelope)
        with ThreadPoolExecutor(max_workers=max(1, min(PUSH_THREADS, len(targets)))) as pool:
            outcomes = list(pool.map(lambda connection: self._poster.post(connection.id, body), targets))
        now = utc_now()
        for connection, outcome in zip(targets, outcomes, strict=True):
            if outcome is Posted.GONE and not _may_be_opening(connection, now):
                self._store.remove_connection(connection.id)
        counts = Counter(outcomes)
        report = PushReport(counts[Posted.DELIVERED], counts[Posted.GONE], counts[Posted.FAILED])
        metrics.add_metric(name="PushesDelivered", unit=MetricUnit.Count, value=report.posted)
        if report.failed:
            metrics.add_metric(name="PushesFailed", unit=MetricUnit.Count, value=report.failed)
        return report
