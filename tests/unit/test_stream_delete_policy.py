"""The stream function may delete list entries and notification claims, and the SLA clock function its
clock entries, never a ticket: template.yaml limits their DeleteItem by partition key
(dynamodb:LeadingKeys). MiniStack does not evaluate that condition key, so its patterns are checked here
against the key formats of tickets/keys.py, as IAM's StringLike matches them (`*`: any characters)."""

from __future__ import annotations

from fnmatch import fnmatchcase
from typing import Any

import pytest

from tests.support.aws import template
from tickets import keys
from tickets.keys import ListDimension, ListMembership

TICKET_ID = "01JS3Q6Z8X9V2K4M7N5P0R1T2W"


def delete_patterns(function: str = "TicketStreamFunction") -> list[str]:
    statements: list[dict[str, Any]] = [
        statement
        for policy in template()["Resources"][function]["Properties"]["Policies"]
        if isinstance(policy, dict) and "Statement" in policy
        for statement in policy["Statement"]
    ]
    (delete,) = [statement for statement in statements if "dynamodb:DeleteItem" in statement["Action"]]
    return list(delete["Condition"]["ForAllValues:StringLike"]["dynamodb:LeadingKeys"])


def may_delete(partition_key: str, function: str = "TicketStreamFunction") -> bool:
    return any(fnmatchcase(partition_key, pattern) for pattern in delete_patterns(function))


@pytest.mark.parametrize(
    "partition_key",
    [
        pytest.param(
            keys.list_partition("acme", ListMembership(ListDimension.STATUS, "OPEN")), id="status-list"
        ),
        pytest.param(
            keys.list_partition("acme", ListMembership(ListDimension.AGENT, "agent_n1")), id="agent-list"
        ),
        pytest.param(
            keys.notification_key("acme", f"assigned#{TICKET_ID}")[keys.PK], id="notification-claim"
        ),
        pytest.param(keys.events_partition("acme", TICKET_ID), id="a-deleted-tickets-history"),
    ],
)
def test_the_stream_function_may_delete_what_it_deletes(partition_key: str) -> None:
    assert may_delete(partition_key)


@pytest.mark.parametrize(
    "partition_key",
    [
        pytest.param(keys.ticket_key("acme", TICKET_ID)[keys.PK], id="ticket"),
        pytest.param(keys.message_key("acme", TICKET_ID, TICKET_ID)[keys.PK], id="message"),
        pytest.param(keys.tenant_key("acme")[keys.PK], id="tenant-customers-agents-stats"),
        pytest.param(keys.ticket_number_guard_key("acme", 1)[keys.PK], id="number-guard"),
        pytest.param(keys.api_key_lookup_key("0" * 64)[keys.PK], id="api-key"),
        pytest.param(keys.idempotency_partition("acme"), id="idempotency-records"),
    ],
)
def test_the_stream_function_may_not_delete_anything_else(partition_key: str) -> None:
    assert not may_delete(partition_key)


def test_the_sla_clock_function_may_delete_its_clock_entries_and_nothing_else() -> None:
    clock_entry = keys.sla_clock_key("acme", TICKET_ID, "2026-12-01T09:01:00.000000Z")[keys.PK]
    assert may_delete(clock_entry, "SlaClockFunction")
    others = [
        keys.ticket_key("acme", TICKET_ID)[keys.PK],
        keys.tenant_key("acme")[keys.PK],
        keys.sla_due_partition("acme"),
        keys.list_partition("acme", ListMembership(ListDimension.SLA, "BREACHED")),
        keys.events_partition("acme", TICKET_ID),
    ]
    assert not [partition for partition in others if may_delete(partition, "SlaClockFunction")]
