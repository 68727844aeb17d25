"""SLA clocks on tickets, through the ticket handlers, the clock sweep and the real stream, bus, dispatch
and delivery to a webhook receiver, against moto, at times the tests set: due times in the same write
as the change, pause and resume, a priority change, and exactly one breach (history, webhook, email)
with redelivered stream batches and overlapping sweeps."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.support.factories import Seeder
from tests.support.handlers import Api
from tests.support.receiver import Receiver
from tests.support.streams import SENDER, Outbox
from tests.support.webhooks import WebhookPipeline
from tickets import clients, keys
from tickets.ids import format_timestamp
from tickets.logic import service
from tickets.logic.sla_sweep import SlaSweep
from tickets.settings import get_settings
from tickets.store.repository import TicketRepository
from tickets.store.sla import SlaClockStore

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)
ADMINS = ["ops@acme.com"]
# The tenant with a sender (verified in SES) and an admin address
pytestmark = [pytest.mark.tenant(sender_email=SENDER, admin_emails=ADMINS), pytest.mark.usefixtures("outbox")]
POLICY: dict[str, Any] = {
    "name": "Standard support",
    "targets": {
        "URGENT": {"firstResponseMinutes": 1, "nextResponseMinutes": 60, "resolutionMinutes": 480},
        "LOW": {"firstResponseMinutes": 240, "resolutionMinutes": 2880},
    },
    "warningMinutes": None,
}
TICKET: dict[str, Any] = {
    "customerExternalId": "user_42",
    "subject": "Payment failed for order #12345",
    "priority": "URGENT",
}


class Clock:
    """The time the ticket service and the sweep see."""

    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    at = Clock()
    monkeypatch.setattr(service, "utc_now", at)
    return at


@pytest.fixture
def sweep(table: str, clock: Clock) -> SlaSweep:
    client = clients.dynamodb()
    return SlaSweep(
        SlaClockStore(client, table), TicketRepository(client, table), write_retry_seconds=1, clock=clock
    )


@pytest.fixture
def policy(api: Api, seed: Seeder) -> dict[str, Any]:
    response = api.put_sla_policy("default", POLICY)
    assert response.status == 201, response.json
    return response.data  # type: ignore[no-any-return]


def _sla(api: Api, ticket_id: str) -> dict[str, Any]:
    response = api.get(ticket_id)
    assert response.status == 200, response.json
    return response.data["sla"]  # type: ignore[no-any-return]


def _history_types(api: Api, ticket_id: str) -> list[str]:
    return [event["type"] for event in api.events(ticket_id).data]


@pytest.fixture
def calls(table: str) -> Iterator[Counter[str]]:
    """DynamoDB operations made, by name."""
    client = clients.dynamodb()
    made: Counter[str] = Counter()
    original = client._make_api_call

    def counted(operation: str, parameters: dict[str, Any]) -> Any:
        made[operation] += 1
        return original(operation, parameters)

    client._make_api_call = counted  # type: ignore[method-assign]
    yield made
    client._make_api_call = original  # type: ignore[method-assign]


def test_a_new_ticket_carries_its_due_times_and_an_answer_in_time_is_met(
    api: Api, policy: dict[str, Any], clock: Clock, sweep: SlaSweep
) -> None:
    # Given the default policy, When an URGENT ticket is created
    created = api.create(TICKET)
    assert created.status == 201, created.json
    ticket = created.data
    # Then it carries its clocks, from its creation
    assert ticket["sla"]["policyId"] == "default"
    first_response = ticket["sla"]["firstResponse"]
    assert first_response["targetMinutes"] == 1
    assert first_response["dueAt"] == "2026-12-01T09:01:00.000000Z"
    assert first_response["metAt"] is None and first_response["breachedAt"] is None
    assert ticket["sla"]["resolution"]["dueAt"] == "2026-12-01T17:00:00.000000Z"
    assert ticket["sla"]["nextResponse"] is None
    # When an agent answers within the minute
    clock.now = T0 + timedelta(seconds=40)
    assert api.reply(ticket["id"], {"message": "On it", "from": {"role": "AGENT"}}).status == 201
    # Then the first response is met, resolution paused while the customer is awaited
    sla = _sla(api, ticket["id"])
    assert sla["firstResponse"]["metAt"] == "2026-12-01T09:00:40.000000Z"
    assert sla["resolution"]["pausedAt"] == "2026-12-01T09:00:40.000000Z"
    assert sla["resolution"]["remainingSeconds"] == 480 * 60 - 40
    # And a sweep after the due time has nothing to record
    clock.now = T0 + 2 * MINUTE
    assert sweep.sweep().due == 0
    assert _sla(api, ticket["id"])["firstResponse"]["breachedAt"] is None


def test_an_unanswered_ticket_breaches_once_with_redelivered_batches_and_overlapping_sweeps(
    *,
    api: Api,
    policy: dict[str, Any],
    clock: Clock,
    sweep: SlaSweep,
    pipeline: WebhookPipeline,
    hooks: Receiver,
    outbox: Outbox,
) -> None:
    # Given an endpoint for breaches, and an URGENT ticket its agent leaves unanswered
    webhook = api.create_webhook({"url": hooks.url, "eventTypes": ["sla.breached"]}).data
    ticket = api.create(TICKET).data
    pipeline.run()  # assigned to agent_n1
    emails_before = len(outbox)
    # When two sweeps overlap 5 seconds after the due time: both read the entries before either writes
    clock.now = T0 + MINUTE + timedelta(seconds=5)
    late_sweep = _sweep_reading(_due_now(get_settings().table_name, clock.now), clock)
    first, second = sweep.sweep(), late_sweep.sweep()
    # Then one records the breach, and the other finds it recorded
    assert (first.due, first.recorded) == (1, 1)
    assert (second.due, second.recorded) == (1, 0)
    # And the stream hands its records over twice
    records = pipeline.stream.pending()
    pipeline.stream.deliver(records)
    pipeline.stream.deliver(records)
    pipeline.dispatch()
    pipeline.deliver()
    # Then the ticket records the breach when the sweep saw it, with its due time
    sla = _sla(api, ticket["id"])
    assert sla["firstResponse"]["breachedAt"] == "2026-12-01T09:01:05.000000Z"
    assert sla["firstResponse"]["dueAt"] == "2026-12-01T09:01:00.000000Z"
    # And the history tells of it once, by the system
    history = api.events(ticket["id"]).data
    breaches = [event for event in history if event["type"] == "sla.breached"]
    assert len(breaches) == 1
    assert breaches[0]["actor"]["role"] == "system"
    assert breaches[0]["metric"] == "firstResponse"
    assert breaches[0]["dueAt"] == "2026-12-01T09:01:00.000000Z"
    # And the endpoint hears of it once, signed
    (delivered,) = hooks.received
    payload = delivered.verified(webhook["secret"])
    assert payload["type"] == "sla.breached"
    assert payload["data"]["metric"] == "firstResponse"
    assert payload["data"]["ticket"]["sla"]["firstResponse"]["breachedAt"] == "2026-12-01T09:01:05.000000Z"
    # And its agent gets one email
    (mail,) = outbox.emails[emails_before:]
    assert mail.to == ("agent_n1@acme.com",)
    assert mail.subject == "[INV-1] SLA breached: first response was due at 2026-12-01T09:01:00.000000Z"


class _ReadBefore(SlaClockStore):
    """The clock entries as a sweep read them before another sweep wrote."""

    def __init__(self, reads: dict[str, list[tuple[str, str]]]) -> None:
        super().__init__(clients.dynamodb(), "unused")
        self._reads = reads

    def due_entries(self, partition: str, *_: Any) -> tuple[list[tuple[str, str]], dict[str, str] | None]:
        return self._reads[partition], None


def _due_now(table: str, now: datetime) -> dict[str, list[tuple[str, str]]]:
    entries = SlaClockStore(clients.dynamodb(), table)
    return {
        partition: entries.due_entries(partition, format_timestamp(now), None, 100)[0]
        for partition in keys.sla_clock_partitions()
    }


def _sweep_reading(reads: dict[str, list[tuple[str, str]]], clock: Clock) -> SlaSweep:
    repository = TicketRepository(clients.dynamodb(), get_settings().table_name)
    return SlaSweep(_ReadBefore(reads), repository, write_retry_seconds=1, clock=clock)


def test_a_warning_comes_before_the_breach_and_an_unassigned_breach_mails_the_admins(
    *, api: Api, seed: Seeder, clock: Clock, sweep: SlaSweep, pipeline: WebhookPipeline, outbox: Outbox
) -> None:
    # Given a policy that warns 30 minutes ahead, and nobody available to take tickets
    assert api.put_sla_policy("default", POLICY | {"warningMinutes": 30}).status == 201
    assert api.patch_agent("agent_n1", {"available": False}).status == 200
    ticket = api.create(TICKET | {"priority": "LOW"}).data
    assert ticket["sla"]["firstResponse"]["warnAt"] == "2026-12-01T12:30:00.000000Z"
    pipeline.run()
    sent_before = len(outbox)
    # When the sweeps run at the warning and past the due time
    clock.now = T0 + 210 * MINUTE
    assert sweep.sweep().recorded == 1
    clock.now = T0 + 241 * MINUTE
    assert sweep.sweep().recorded == 1
    pipeline.run()
    # Then the history tells of the warning, then of the breach
    history = api.events(ticket["id"]).data
    told = [(event["type"], event["occurredAt"]) for event in history if event["type"].startswith("sla.")]
    assert told == [
        ("sla.warning", "2026-12-01T12:30:00.000000Z"),
        ("sla.breached", "2026-12-01T13:01:00.000000Z"),
    ]
    # And, the ticket being unassigned, the tenant's admins get the breach's email
    (mail,) = outbox.emails[sent_before:]
    assert mail.to == ("ops@acme.com",)


def test_hold_priority_and_reopen_move_the_due_times_and_the_sweep_follows(
    api: Api, policy: dict[str, Any], clock: Clock, sweep: SlaSweep
) -> None:
    ticket = api.create(TICKET | {"priority": "LOW"}).data
    # When an admin puts it on hold after an hour, Then resolution pauses with 47 hours left
    clock.now = T0 + 60 * MINUTE
    held = api.update(ticket["id"], {"status": "ON_HOLD"}).data
    assert held["sla"]["resolution"]["remainingSeconds"] == 47 * 3600
    assert held["sla"]["resolution"]["dueAt"] is None
    # When it is made URGENT two hours later, still on hold
    clock.now = T0 + 180 * MINUTE
    urgent = api.update(ticket["id"], {"priority": "URGENT"}).data
    # Then its first response was due after the URGENT minute, resolution has 7 of its 8 hours left
    assert urgent["sla"]["firstResponse"]["dueAt"] == "2026-12-01T09:01:00.000000Z"
    assert urgent["sla"]["resolution"]["remainingSeconds"] == 7 * 3600
    # And the sweep records that overdue first response, not the paused resolution
    assert sweep.sweep().recorded == 1
    assert _sla(api, ticket["id"])["resolution"]["breachedAt"] is None
    # When it is closed, then reopened a day later
    api.update(ticket["id"], {"status": "CLOSED"})
    clock.now = T0 + timedelta(days=1)
    reopened = api.update(ticket["id"], {"status": "OPEN"}).data
    # Then resolution runs again with the 7 hours it had left
    assert reopened["sla"]["resolution"]["dueAt"] == "2026-12-02T16:00:00.000000Z"
    clock.now = T0 + timedelta(days=1, hours=7, minutes=1)
    assert sweep.sweep().recorded == 1
    assert _sla(api, ticket["id"])["resolution"]["breachedAt"] == "2026-12-02T16:01:00.000000Z"


def test_a_ticket_keeps_its_clocks_when_its_policy_is_deleted(
    api: Api, policy: dict[str, Any], clock: Clock, sweep: SlaSweep
) -> None:
    ticket = api.create(TICKET).data
    assert api.delete_sla_policy("default").status == 204
    # A change after the deletion leaves the due times as they were, and the sweep still breaches them
    clock.now = T0 + 30 * timedelta(seconds=1)
    assert api.update(ticket["id"], {"priority": "LOW"}).data["sla"] == ticket["sla"]
    clock.now = T0 + 2 * MINUTE
    assert sweep.sweep().recorded == 1
    # And a ticket created with no policy has none
    assert api.create(TICKET | {"subject": "Another"}).data["sla"] is None


def test_the_sweep_reads_only_what_is_due(
    api: Api, policy: dict[str, Any], clock: Clock, sweep: SlaSweep, calls: Counter[str]
) -> None:
    # Given 20 tickets, none due for four hours
    for number in range(20):
        assert api.create(TICKET | {"priority": "LOW", "subject": f"Order {number}"}).status == 201
    # When the sweep runs
    calls.clear()
    result = sweep.sweep()
    # Then it reads each clock partition once and no ticket
    assert (result.due, result.recorded) == (0, 0)
    assert calls == Counter({"Query": len(keys.sla_clock_partitions())})


def _numbers(api: Api, **query: str) -> list[str]:
    response = api.list(**query)
    assert response.status == 200, response.json
    return [ticket["ticketNumber"] for ticket in response.data]


def test_lists_show_what_is_due_next_and_what_is_breached(
    api: Api, policy: dict[str, Any], clock: Clock, sweep: SlaSweep
) -> None:
    # Given a LOW ticket (first response due in 4 hours), an URGENT one (in a minute), and a MEDIUM one
    # with no target
    low = api.create(TICKET | {"priority": "LOW"}).data
    clock.now += timedelta(milliseconds=1)
    urgent = api.create(TICKET).data
    clock.now += timedelta(milliseconds=1)
    api.create(TICKET | {"priority": "MEDIUM"})
    # Then what is due next is the URGENT ticket, then the LOW one, and the MEDIUM one not at all
    assert _numbers(api, sort="slaDueAt") == ["INV-2", "INV-1"]
    assert _numbers(api, sort="slaDueAt", slaDueBefore="2026-12-01T09:10:00Z") == ["INV-2"]
    assert _numbers(api, slaDueBefore="2026-12-01T09:10:00Z") == ["INV-2"]
    assert _numbers(api, sort="slaDueAt", priority="LOW") == ["INV-1"]
    # And a page at a time, the cursor carries on
    first_page = api.list(sort="slaDueAt", limit="1")
    assert [ticket["ticketNumber"] for ticket in first_page.data] == ["INV-2"]
    cursor = first_page.json["meta"]["nextCursor"]
    assert _numbers(api, sort="slaDueAt", limit="1", cursor=cursor) == ["INV-1"]
    # When the URGENT one breaches
    clock.now = T0 + 2 * MINUTE
    assert sweep.sweep().recorded == 1
    # Then it is the breached one, and still first in what is due
    assert _numbers(api, slaBreached="true") == ["INV-2"]
    assert _numbers(api, slaBreached="false") == ["INV-3", "INV-1"]
    assert _numbers(api, sort="slaDueAt") == ["INV-2", "INV-1"]
    # When an agent answers it, Then it is no longer breached, and its resolution waits on the customer
    assert api.reply(urgent["id"], {"message": "Sorry", "from": {"role": "AGENT"}}).status == 201
    assert _numbers(api, slaBreached="true") == []
    assert _numbers(api, sort="slaDueAt") == ["INV-1"]
    # And deleting the LOW ticket takes it out of what is due
    assert api.delete(low["id"]).status == 204
    assert _numbers(api, sort="slaDueAt") == []


def test_a_create_sees_every_policy_change_and_reads_the_policies_only_after_one(
    api: Api, seed: Seeder, clock: Clock, calls: Counter[str]
) -> None:
    # Given no policy, Then a new ticket has no clocks, and its create reads no policy
    calls.clear()
    assert api.create(TICKET).data["sla"] is None
    assert calls["Query"] == 0
    # When a policy is put, Then the next ticket has its clocks
    assert api.put_sla_policy("default", POLICY).status == 201
    assert api.create(TICKET).data["sla"]["firstResponse"]["targetMinutes"] == 1
    # And with the policies unchanged since, a create reads none of them again
    calls.clear()
    assert api.create(TICKET).status == 201
    assert calls["Query"] == 0
    # When it is replaced, or deleted, Then the next ticket follows
    urgent_in_five = POLICY | {"targets": {"URGENT": {"firstResponseMinutes": 5}}}
    assert api.put_sla_policy("default", urgent_in_five).status == 200
    assert api.create(TICKET).data["sla"]["firstResponse"]["targetMinutes"] == 5
    assert api.delete_sla_policy("default").status == 204
    assert api.create(TICKET).data["sla"] is None


def test_an_invocation_records_what_comes_due_within_its_look_ahead_at_that_moment(
    api: Api, policy: dict[str, Any], clock: Clock, table: str
) -> None:
    # Given an URGENT ticket due at 09:01, and an invocation of the sweep at 09:00:30
    ticket = api.create(TICKET).data
    clock.now = T0 + timedelta(seconds=30)
    waited: list[float] = []

    def wait(seconds: float) -> None:
        waited.append(seconds)
        clock.now += timedelta(seconds=seconds)

    client = clients.dynamodb()
    sweep = SlaSweep(
        SlaClockStore(client, table),
        TicketRepository(client, table),
        write_retry_seconds=1,
        clock=clock,
        wait=wait,
    )
    # When it runs with 50 s of look-ahead
    result = sweep.run(timedelta(seconds=50))
    # Then it waits the 30 s to the due time, and records the breach then, in a second pass
    assert waited == [30.0]
    assert (result.due, result.recorded, result.passes) == (1, 1, 2)
    assert _sla(api, ticket["id"])["firstResponse"]["breachedAt"] == "2026-12-01T09:01:00.000000Z"
    # And an invocation with nothing due within its look-ahead does not wait
    waited.clear()
    assert sweep.run(timedelta(seconds=50)).passes == 1
    assert waited == []
