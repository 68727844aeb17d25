"""Every key format of the single table, in one place. See docs/data-model.md.

Partitions:
  TENANT#<t>                                  #TENANT (tenant + ticket sequence), STATS#<nn>,
                                              CUSTOMER#<externalId>, AGENT#<agentId>
  TENANT#<t>#TICKET#<ticketId>                #ASSIGNMENT, #DESCRIPTION, #TICKET (GSI1: TENANT#<t>#UPDATED /
                                              <updatedAt>#<ticketId>), MSG#<messageId>
  TENANT#<t>#EVENTS#<ticketId>                <occurredAt>#<rank>#<eventId> (the ticket's history)
  TENANT#<t>#EXTERNALID#<externalId>          #GUARD (uniqueness of the caller's ticket id)
  TENANT#<t>#NUMBER#<n>                       #GUARD (ticket number -> id)
  TENANT#<t>#LIST#<dimension>#<value>         <ticketId> (list entry: the ticket is in the list)
  TENANT#<t>#LIST#SLA_DUE                     <dueAt>#<ticketId> (the soonest due time of a ticket's
                                              running SLA metrics: sort=slaDueAt)
  TENANT#<t>                                  APIKEY#<keyId> (the tenant's keys, for listing and revoking)
  TENANT#<t>                                  WEBHOOK#<webhookId> (an endpoint: URL, event types, secrets)
  TENANT#<t>#WEBHOOK#<webhookId>              DELIVERY#<deliveryId> (one event's delivery to the endpoint,
                                              newest last; expire after 30 days)
  SLA_CLOCK#<nn>                              <moment>#<t>#<ticketId> (when the clock sweep has a warning or
                                              a breach of the ticket to record; one entry per ticket)
  APIKEY#<sha256 of the key>                  #APIKEY (what the authorizer looks up)
  TENANT#<t>#IDEMPOTENCY                      request#<sha256 of the Idempotency-Key> (Powertools
                                              Idempotency records; the tenant scopes the key),
                                              write#<sha256 of the Idempotency-Key> (the ticket write
                                              the key made, put in that write's transaction)
"""

from __future__ import annotations

import hashlib
from enum import StrEnum
from typing import NamedTuple

PK = "PK"
SK = "SK"
GSI1 = "GSI1"
GSI1PK = "GSI1PK"
GSI1SK = "GSI1SK"

STATS_SHARDS = 10
# The clock sweep's entries are spread over this many partitions, each read every minute.
SLA_CLOCK_SHARDS = 4

TENANT_SK = "#TENANT"
TICKET_SK = "#TICKET"
DESCRIPTION_SK = "#DESCRIPTION"
ASSIGNMENT_SK = "#ASSIGNMENT"  # sorts before #DESCRIPTION and #TICKET: one Query range reads all three
GUARD_SK = "#GUARD"
DELETION_SK = "#DELETED"  # sorts before the history's events, which start with their time
MESSAGE_PREFIX = "MSG#"
STATS_PREFIX = "STATS#"
CUSTOMER_PREFIX = "CUSTOMER#"
AGENT_PREFIX = "AGENT#"
API_KEY_PREFIX = "APIKEY#"
# Tickets created in a month, an attribute of the tenant item per month: ticketsCreated#2026-11.
MONTHLY_TICKETS_PREFIX = "ticketsCreated#"
API_KEY_SK = "#APIKEY"
WEBHOOK_PREFIX = "WEBHOOK#"
DELIVERY_PREFIX = "DELIVERY#"
REALTIME_TOKEN_SK = "#REALTIME_TOKEN"
CONNECTION_SK = "#CONNECTION"
SLA_POLICY_PREFIX = "SLA_POLICY#"


class Entity(StrEnum):
    """Stored in every item as `entity`, so stream consumers and tools can tell items apart."""

    TENANT = "TENANT"
    STATS = "STATS"
    CUSTOMER = "CUSTOMER"
    AGENT = "AGENT"
    TICKET = "TICKET"
    DESCRIPTION = "DESCRIPTION"
    ASSIGNMENT = "ASSIGNMENT"
    MESSAGE = "MESSAGE"
    EXTERNAL_ID_GUARD = "EXTERNAL_ID_GUARD"
    NUMBER_GUARD = "NUMBER_GUARD"
    LIST_ENTRY = "LIST_ENTRY"
    API_KEY = "API_KEY"
    API_KEY_LOOKUP = "API_KEY_LOOKUP"
    NOTIFICATION = "NOTIFICATION"
    KEYED_WRITE = "KEYED_WRITE"
    EVENT = "EVENT"
    WEBHOOK = "WEBHOOK"
    DELIVERY = "DELIVERY"
    DELETION = "DELETION"
    REALTIME_TOKEN = "REALTIME_TOKEN"
    CONNECTION = "CONNECTION"
    SLA_POLICY = "SLA_POLICY"
    SLA_CLOCK = "SLA_CLOCK"


class ListDimension(StrEnum):
    ALL = "ALL"
    STATUS = "STATUS"
    PRIORITY = "PRIORITY"
    CUSTOMER = "CUSTOMER"
    AGENT = "AGENT"
    AWAITING = "AWAITING"
    TAG = "TAG"
    SLA = "SLA"  # BREACHED: a metric past its due time, not met yet


class ListMembership(NamedTuple):
    """One list a ticket appears in, e.g. (STATUS, OPEN) or (TAG, <uuid>)."""

    dimension: ListDimension
    value: str


# Every ticket of the tenant, in creation order: the one list every version kept.
ALL_TICKETS = ListMembership(ListDimension.ALL, "ALL")


Key = dict[str, str]


def _tenant(tenant_id: str) -> str:
    return f"TENANT#{tenant_id}"


def tenant_key(tenant_id: str) -> Key:
    return {PK: _tenant(tenant_id), SK: TENANT_SK}


def _shard(ticket_id: str, shards: int) -> int:
    return int.from_bytes(hashlib.blake2b(ticket_id.encode(), digest_size=2).digest(), "big") % shards


def stats_shard_key(tenant_id: str, ticket_id: str) -> Key:
    """A ticket's counters always land on the same shard, spreading writes over STATS_SHARDS items."""
    return {PK: _tenant(tenant_id), SK: f"{STATS_PREFIX}{_shard(ticket_id, STATS_SHARDS):02d}"}


def sla_clock_partitions() -> list[str]:
    """The partitions of the clock sweep's entries, every tenant's: the sweep reads each up to now."""
    return [f"SLA_CLOCK#{shard:02d}" for shard in range(SLA_CLOCK_SHARDS)]


def sla_clock_key(tenant_id: str, ticket_id: str, moment: str) -> Key:
    """A ticket's entry in the sweep: in the order of the moments they are due, a ticket always in the
    same partition."""
    partition = sla_clock_partitions()[_shard(ticket_id, SLA_CLOCK_SHARDS)]
    return {PK: partition, SK: f"{moment}#{tenant_id}#{ticket_id}"}


def stats_partition(tenant_id: str) -> tuple[str, str]:
    """(PK, SK prefix) of all stats shards of a tenant."""
    return _tenant(tenant_id), STATS_PREFIX


def customer_key(tenant_id: str, external_id: str) -> Key:
    return {PK: _tenant(tenant_id), SK: f"{CUSTOMER_PREFIX}{external_id}"}


def customers_partition(tenant_id: str) -> tuple[str, str]:
    """(PK, SK prefix) of a tenant's customers, in externalId order."""
    return _tenant(tenant_id), CUSTOMER_PREFIX


def agents_partition(tenant_id: str) -> tuple[str, str]:
    """(PK, SK prefix) of a tenant's agents."""
    return _tenant(tenant_id), AGENT_PREFIX


def sla_policy_key(tenant_id: str, policy_id: str) -> Key:
    return {PK: _tenant(tenant_id), SK: f"{SLA_POLICY_PREFIX}{policy_id}"}


def sla_policies_partition(tenant_id: str) -> tuple[str, str]:
    """(PK, SK prefix) of a tenant's SLA policies, in id order."""
    return _tenant(tenant_id), SLA_POLICY_PREFIX


def agent_key(tenant_id: str, agent_id: str) -> Key:
    return {PK: _tenant(tenant_id), SK: f"{AGENT_PREFIX}{agent_id}"}


def ticket_partition(tenant_id: str, ticket_id: str) -> str:
    return f"{_tenant(tenant_id)}#TICKET#{ticket_id}"


def ticket_key(tenant_id: str, ticket_id: str) -> Key:
    return {PK: ticket_partition(tenant_id, ticket_id), SK: TICKET_SK}


def description_key(tenant_id: str, ticket_id: str) -> Key:
    return {PK: ticket_partition(tenant_id, ticket_id), SK: DESCRIPTION_SK}


def assignment_key(tenant_id: str, ticket_id: str) -> Key:
    return {PK: ticket_partition(tenant_id, ticket_id), SK: ASSIGNMENT_SK}


def message_key(tenant_id: str, ticket_id: str, message_id: str) -> Key:
    return {PK: ticket_partition(tenant_id, ticket_id), SK: f"{MESSAGE_PREFIX}{message_id}"}


def events_partition(tenant_id: str, ticket_id: str) -> str:
    """A ticket's history, beside the ticket's own partition: the stream function writes and deletes
    it, and may not delete in a ticket's partition (template.yaml)."""
    return f"{_tenant(tenant_id)}#EVENTS#{ticket_id}"


def event_key(tenant_id: str, ticket_id: str, occurred_at: str, rank: int, event_id: str) -> Key:
    """In the order things happened; of one write's events (a reply's message and its status), by rank."""
    return {PK: events_partition(tenant_id, ticket_id), SK: f"{occurred_at}#{rank}#{event_id}"}


def deletion_key(tenant_id: str, ticket_id: str) -> Key:
    """That the ticket was deleted, by whom (for ticket.deleted), beside its history, which the stream
    function deletes with it; the table's TTL deletes it otherwise."""
    return {PK: events_partition(tenant_id, ticket_id), SK: DELETION_SK}


def external_id_guard_key(tenant_id: str, external_id: str) -> Key:
    return {PK: f"{_tenant(tenant_id)}#EXTERNALID#{external_id}", SK: GUARD_SK}


def ticket_number_guard_key(tenant_id: str, sequence: int) -> Key:
    return {PK: f"{_tenant(tenant_id)}#NUMBER#{sequence}", SK: GUARD_SK}


def list_partition(tenant_id: str, membership: ListMembership) -> str:
    return f"{_tenant(tenant_id)}#LIST#{membership.dimension}#{membership.value}"


def list_entry_key(tenant_id: str, membership: ListMembership, ticket_id: str) -> Key:
    return {PK: list_partition(tenant_id, membership), SK: ticket_id}


def sla_due_partition(tenant_id: str) -> str:
    return f"{_tenant(tenant_id)}#LIST#SLA_DUE"


def sla_due_key(tenant_id: str, ticket_id: str, due_at: str) -> Key:
    """A ticket's place in what is due next, by its soonest due time."""
    return {PK: sla_due_partition(tenant_id), SK: f"{due_at}#{ticket_id}"}


# Lists kept until 2026-12 whose tickets status lists hold now (logic/listing.py): nothing reads them,
# and the admin CLI's upgrade-lists deletes what is left of them.
RETIRED_LISTS = ("UNASSIGNED#QUEUE", "AWAITING#CUSTOMER")


def retired_list_partitions(tenant_id: str) -> list[str]:
    return [f"{_tenant(tenant_id)}#LIST#{name}" for name in RETIRED_LISTS]


def updated_partition(tenant_id: str) -> str:
    """The GSI1 partition of a tenant's tickets, ordered by last update."""
    return f"{_tenant(tenant_id)}#UPDATED"


def ticket_index_key(tenant_id: str, ticket_id: str, updated_at: str) -> Key:
    """GSI1 keys of a ticket item: the tenant's tickets by last update."""
    return {GSI1PK: updated_partition(tenant_id), GSI1SK: f"{updated_at}#{ticket_id}"}


def api_key_key(tenant_id: str, key_id: str) -> Key:
    return {PK: _tenant(tenant_id), SK: f"{API_KEY_PREFIX}{key_id}"}


def api_keys_partition(tenant_id: str) -> tuple[str, str]:
    """(PK, SK prefix) of a tenant's keys."""
    return _tenant(tenant_id), API_KEY_PREFIX


def api_key_lookup_key(key_hash: str) -> Key:
    return {PK: f"{API_KEY_PREFIX}{key_hash}", SK: API_KEY_SK}


def idempotency_partition(tenant_id: str) -> str:
    """The partition of a tenant's Idempotency-Key items: Powertools' records (it writes their sort key
    itself) and the marks of keyed writes."""
    return f"{_tenant(tenant_id)}#IDEMPOTENCY"


def keyed_write_key(tenant_id: str, idempotency_key: str) -> Key:
    """The mark of the ticket write made under an Idempotency-Key, beside the key's Powertools record."""
    digest = hashlib.sha256(idempotency_key.encode()).hexdigest()
    return {PK: idempotency_partition(tenant_id), SK: f"write#{digest}"}


def realtime_token_key(token_hash: str) -> Key:
    """A real-time token, found by its SHA-256 (only the hash is stored) when it opens a connection."""
    return {PK: f"REALTIME_TOKEN#{token_hash}", SK: REALTIME_TOKEN_SK}


def connection_key(connection_id: str) -> Key:
    """An open WebSocket, by API Gateway's connection id: all that $disconnect and a gone post know."""
    return {PK: f"CONNECTION#{connection_id}", SK: CONNECTION_SK}


def connections_partition(tenant_id: str) -> str:
    """The GSI1 partition of a tenant's open connections, which every event's push pages through."""
    return f"{_tenant(tenant_id)}#CONNECTIONS"


def connection_index_key(tenant_id: str, connection_id: str, connected_at: str) -> Key:
    return {GSI1PK: connections_partition(tenant_id), GSI1SK: f"{connected_at}#{connection_id}"}


def monthly_tickets_attribute(period: str) -> str:
    return f"{MONTHLY_TICKETS_PREFIX}{period}"


def webhook_key(tenant_id: str, webhook_id: str) -> Key:
    return {PK: _tenant(tenant_id), SK: f"{WEBHOOK_PREFIX}{webhook_id}"}


def webhooks_partition(tenant_id: str) -> tuple[str, str]:
    """(PK, SK prefix) of a tenant's webhook endpoints, oldest first (their ids are ULIDs)."""
    return _tenant(tenant_id), WEBHOOK_PREFIX


def deliveries_partition(tenant_id: str, webhook_id: str) -> tuple[str, str]:
    """(PK, SK prefix) of an endpoint's deliveries, in the order of their events (ids are ULIDs)."""
    return f"{_tenant(tenant_id)}#WEBHOOK#{webhook_id}", DELIVERY_PREFIX


def delivery_key(tenant_id: str, webhook_id: str, delivery_id: str) -> Key:
    partition, prefix = deliveries_partition(tenant_id, webhook_id)
    return {PK: partition, SK: f"{prefix}{delivery_id}"}


def notification_key(tenant_id: str, notification: str) -> Key:
    """One item per email sent: a redelivered stream record finds it and sends nothing."""
    return {PK: f"{_tenant(tenant_id)}#NOTIFICATION#{notification}", SK: "#SENT"}
