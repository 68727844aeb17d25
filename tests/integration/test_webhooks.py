"""Webhooks: the admin routes, and events delivered to receivers on 127.0.0.1 through the real stream,
dispatch and delivery handlers (tests/support/webhooks.py), every delivery verified with the
standardwebhooks package."""

from __future__ import annotations

import json
import time
from datetime import timedelta
from typing import Any

import pytest

from tests.support.aws import template
from tests.support.handlers import Api
from tests.support.moto_table import table_items
from tests.support.receiver import Receiver, receiver, unused_port_url
from tests.support.webhooks import WebhookPipeline
from tickets.ids import utc_now
from tickets.logic.deliveries import RETRY_DELAYS
from tickets.models.domain import Tenant
from tickets.store.tenants import TenantStore
from tickets.webhooks import deliver

TICKET: dict[str, Any] = {
    "customerExternalId": "user_42",
    "subject": "Payment failed for order #12345",
    "description": "Payment attempt failed with CARD_DECLINED.",
    "priority": "HIGH",
}


def _endpoint(api: Api, url: str, event_types: list[str] | None = None) -> dict[str, Any]:
    response = api.create_webhook({"url": url, "eventTypes": event_types or ["*"]})
    assert response.status == 201, response.json
    return response.data  # type: ignore[no-any-return]


def _payload(received: Any) -> dict[str, Any]:
    return json.loads(received.body)  # type: ignore[no-any-return]


# The admin routes ----------------------------------------------------------------------------------


def test_an_admin_creates_an_endpoint_and_sees_its_secret_only_in_the_answer(api: Api) -> None:
    # Given / When
    created = _endpoint(api, "https://hooks.example.com/tickets", ["ticket.created", "message.created"])

    # Then
    assert created["secret"].startswith("whsec_")
    assert created["enabled"] is True
    assert created["eventTypes"] == ["ticket.created", "message.created"]
    shown = api.get_webhook(created["id"]).data
    assert "secret" not in shown and "secrets" not in shown
    assert [webhook["id"] for webhook in api.list_webhooks().data] == [created["id"]]
    stored = json.dumps([item for item in table_items() if item["entity"]["S"] == "WEBHOOK"])
    assert created["secret"] not in stored  # encrypted at rest


@pytest.mark.parametrize("role", ["agent", "integration"])
def test_only_admin_keys_manage_webhooks(api: Api, role: str) -> None:
    # Given
    webhook = _endpoint(api, "https://hooks.example.com/tickets")
    other = Api("acme", role=role, agent_id="agent_n1" if role == "agent" else None)

    # When
    answers = [
        other.create_webhook({"url": "https://hooks.example.com/x", "eventTypes": ["*"]}),
        other.list_webhooks(),
        other.get_webhook(webhook["id"]),
        other.patch_webhook(webhook["id"], {"enabled": False}),
        other.delete_webhook(webhook["id"]),
        other.rotate_webhook_secret(webhook["id"]),
        other.webhook_deliveries(webhook["id"]),
        other.test_webhook(webhook["id"]),
    ]

    # Then
    assert [answer.status for answer in answers] == [403] * len(answers)
    assert api.get_webhook(webhook["id"]).data["enabled"] is True


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "ftp://hooks.example.com/x", "eventTypes": ["*"]}, "url"),
        ({"url": "http://hooks.example.com/x", "eventTypes": ["*"]}, "url"),
        ({"url": "https://10.0.0.7/x", "eventTypes": ["*"]}, "url"),
        ({"url": "https://169.254.169.254/latest", "eventTypes": ["*"]}, "url"),
        ({"url": "https://user:pw@hooks.example.com/x", "eventTypes": ["*"]}, "url"),
        ({"url": "http://127.0.0.1:0/x", "eventTypes": ["*"]}, "url"),  # port 0
        ({"url": "https://hooks.example.com:65536/x", "eventTypes": ["*"]}, "url"),
        ({"url": "https://hooks.example.com/x", "eventTypes": []}, "eventTypes"),
        ({"url": "https://hooks.example.com/x", "eventTypes": ["ticket.exploded"]}, "eventTypes"),
        ({"url": "https://hooks.example.com/x", "eventTypes": ["*", "ticket.created"]}, "eventTypes"),
        (
            {"url": "https://hooks.example.com/x", "eventTypes": ["ticket.created", "ticket.created"]},
            "eventTypes",
        ),
        ({"url": "https://hooks.example.com/x"}, "eventTypes"),
        ({"url": "https://hooks.example.com/x", "eventTypes": ["*"], "secret": "mine"}, "secret"),
        (
            {"url": "https://hooks.example.com/x", "eventTypes": ["*"], "description": "x" * 257},
            "description",
        ),
    ],
)
def test_a_bad_endpoint_is_a_400_naming_the_field_and_writes_nothing(
    api: Api, body: dict[str, Any], field: str
) -> None:
    # Given
    before = table_items()

    # When
    response = api.create_webhook(body)

    # Then
    assert response.status == 400, response.json
    assert response.error["code"] == "VALIDATION_ERROR"
    assert field in response.error_fields()
    assert table_items() == before


def test_patch_changes_only_what_it_sends_and_an_unknown_endpoint_is_a_404(api: Api) -> None:
    # Given
    webhook = _endpoint(api, "https://hooks.example.com/tickets", ["ticket.created"])

    # When
    changed = api.patch_webhook(webhook["id"], {"eventTypes": ["*"], "description": "All of it"})
    missing = api.patch_webhook("01JS3Q7M2K9V8B4N6C5X1Z0Y3W", {"enabled": False})
    null_url = api.patch_webhook(webhook["id"], {"url": None})

    # Then
    assert changed.status == 200
    assert changed.data["eventTypes"] == ["*"] and changed.data["url"] == webhook["url"]
    assert changed.data["description"] == "All of it"
    assert missing.status == 404 and missing.error["code"] == "WEBHOOK_NOT_FOUND"
    assert null_url.status == 400 and "url" in null_url.error_fields()


def test_a_deleted_endpoint_is_gone(api: Api) -> None:
    webhook = _endpoint(api, "https://hooks.example.com/tickets")

    assert api.delete_webhook(webhook["id"]).status == 204

    assert api.get_webhook(webhook["id"]).status == 404
    assert api.delete_webhook(webhook["id"]).status == 404


def test_another_tenants_endpoint_is_a_404(api: Api, tenants: TenantStore) -> None:
    # Given
    tenants.create_tenant(Tenant(id="globex", name="Globex", ticket_prefix="GLX"))
    webhook = _endpoint(Api("globex"), "https://hooks.example.com/globex")

    # When / Then
    assert api.get_webhook(webhook["id"]).status == 404
    assert api.patch_webhook(webhook["id"], {"enabled": False}).status == 404
    assert api.delete_webhook(webhook["id"]).status == 404
    assert api.webhook_deliveries(webhook["id"]).status == 404
    assert Api("globex").get_webhook(webhook["id"]).data["enabled"] is True


# Deliveries ----------------------------------------------------------------------------------------


def test_a_new_ticket_reaches_the_endpoint_signed_as_standard_webhooks_says(
    api: Api, pipeline: WebhookPipeline, hooks: Receiver
) -> None:
    # Given
    webhook = _endpoint(api, hooks.url, ["ticket.created"])

    # When
    ticket = api.create(TICKET).data
    pipeline.run()

    # Then
    (delivered,) = hooks.received
    payload = delivered.verified(webhook["secret"])
    assert payload["type"] == "ticket.created"
    assert payload["data"]["ticket"]["id"] == ticket["id"]
    assert payload["data"]["tenantId"] == "acme"
    assert payload["data"]["actor"]["role"] == "admin"
    assert delivered.webhook_id == payload["data"]["id"]
    (logged,) = api.webhook_deliveries(webhook["id"]).data
    assert logged["status"] == "succeeded" and logged["eventId"] == delivered.webhook_id
    assert [attempt["responseStatus"] for attempt in logged["attempts"]] == [200]


def test_an_endpoint_hears_only_the_types_it_asked_for(
    api: Api, pipeline: WebhookPipeline, hooks: Receiver
) -> None:
    # Given
    _endpoint(api, hooks.url, ["message.created"])
    ticket = api.create(TICKET).data

    # When
    api.reply(ticket["id"], {"message": "On it.", "from": {"role": "AGENT", "id": "agent_n1"}})
    pipeline.run()

    # Then
    assert [_payload(entry)["type"] for entry in hooks.received] == ["message.created"]
    assert _payload(hooks.received[0])["data"]["message"]["message"] == "On it."


def test_events_handed_over_twice_are_delivered_once(
    api: Api, pipeline: WebhookPipeline, hooks: Receiver
) -> None:
    # Given: the stream's records delivered twice, so each event is published twice
    _endpoint(api, hooks.url, ["ticket.created"])
    api.create(TICKET)
    records = pipeline.stream.pending()
    pipeline.stream.deliver(records)
    pipeline.stream.deliver(records)

    # When
    pipeline.dispatch()
    pipeline.deliver()

    # Then
    assert len(hooks.received) == 1


def test_a_500_then_a_200_is_one_webhook_id_twice_and_the_log_shows_both(
    api: Api, pipeline: WebhookPipeline, hooks: Receiver
) -> None:
    # Given
    webhook = _endpoint(api, hooks.url, ["ticket.created"])
    hooks.answer_with(500)
    api.create(TICKET)
    pipeline.run()

    # When: the retry, due 5 s later
    (retry,) = pipeline.take_tasks()
    assert RETRY_DELAYS[0] * 0.8 < retry.due_at - utc_now() <= RETRY_DELAYS[0] * 1.1
    pipeline.deliverer(clock=lambda: retry.due_at).attempt(retry)

    # Then
    first, second = hooks.received
    assert (first.status, second.status) == (500, 200)
    assert first.webhook_id == second.webhook_id
    assert first.signed_by(webhook["secret"]) and second.signed_by(webhook["secret"])
    (logged,) = api.webhook_deliveries(webhook["id"]).data
    assert [attempt["responseStatus"] for attempt in logged["attempts"]] == [500, 200]
    assert logged["status"] == "succeeded" and logged["nextAttemptAt"] is None
    assert pipeline.take_tasks() == []


def test_retry_after_on_a_429_puts_the_next_attempt_no_earlier(
    api: Api, pipeline: WebhookPipeline, hooks: Receiver
) -> None:
    # Given
    _endpoint(api, hooks.url, ["ticket.created"])
    hooks.answer_with((429, {"Retry-After": "600"}))

    # When
    api.create(TICKET)
    pipeline.run()

    # Then
    (retry,) = pipeline.take_tasks()
    assert retry.due_at - utc_now() > timedelta(seconds=590)


def test_every_retry_failing_ends_the_delivery_failed_after_the_schedule(
    api: Api, pipeline: WebhookPipeline
) -> None:
    # Given: nothing listens at the endpoint
    webhook = _endpoint(api, unused_port_url(), ["ticket.created"])
    api.create(TICKET)
    pipeline.run()

    # When: each retry, at the time it is due
    retries = 0
    while tasks := pipeline.take_tasks():
        (task,) = tasks
        pipeline.deliverer(clock=lambda task=task: task.due_at).attempt(task)
        retries += 1

    # Then
    assert retries == len(RETRY_DELAYS)
    (logged,) = api.webhook_deliveries(webhook["id"]).data
    assert logged["status"] == "failed"
    assert len(logged["attempts"]) == len(RETRY_DELAYS) + 1
    assert {attempt["error"] for attempt in logged["attempts"]} == {"connection refused"}


def test_a_410_disables_the_endpoint_and_it_gets_nothing_more(
    api: Api, pipeline: WebhookPipeline, hooks: Receiver
) -> None:
    # Given
    webhook = _endpoint(api, hooks.url, ["ticket.created"])
    hooks.answer_with(410)
    api.create(TICKET)
    pipeline.run()

    # When
    api.create(TICKET)
    pipeline.run()

    # Then
    assert len(hooks.received) == 1
    assert pipeline.take_tasks() == []
    shown = api.get_webhook(webhook["id"]).data
    assert shown["enabled"] is False and "410" in shown["disabledReason"]


def test_an_endpoint_failing_for_five_days_is_disabled(api: Api, pipeline: WebhookPipeline) -> None:
    # Given: an endpoint whose first attempt failed, now
    webhook = _endpoint(api, unused_port_url(), ["ticket.created"])
    api.create(TICKET)
    pipeline.run()
    assert api.get_webhook(webhook["id"]).data["failingSince"]

    # When: another attempt fails five days on
    api.test_webhook(webhook["id"])
    (test_task,) = [task for task in pipeline.take_tasks() if task.attempt == 0]
    five_days_on = utc_now() + timedelta(days=5, minutes=1)
    pipeline.deliverer(clock=lambda: five_days_on).attempt(test_task)

    # Then
    shown = api.get_webhook(webhook["id"]).data
    assert shown["enabled"] is False
    assert "failed since" in shown["disabledReason"]
    assert api.test_webhook(webhook["id"]).status == 409
    enabled = api.patch_webhook(webhook["id"], {"enabled": True}).data
    assert (
        enabled["enabled"] is True and enabled["failingSince"] is None and enabled["disabledReason"] is None
    )


def test_a_down_endpoint_does_not_hold_back_another(
    api: Api, pipeline: WebhookPipeline, hooks: Receiver
) -> None:
    # Given
    down = _endpoint(api, unused_port_url(), ["ticket.created"])
    _endpoint(api, hooks.url, ["ticket.created"])

    # When
    api.create(TICKET)
    pipeline.run()

    # Then
    assert len(hooks.received) == 1
    (logged,) = api.webhook_deliveries(down["id"]).data
    assert logged["status"] == "pending" and logged["attempts"][0]["error"] == "connection refused"


def test_a_slow_endpoint_does_not_hold_back_another_of_the_same_batch(
    api: Api, pipeline: WebhookPipeline
) -> None:
    # Given: both endpoints' first attempts in one batch of the delivery function
    with receiver() as slow, receiver() as fast:
        slow.delay_seconds = 3.0
        _endpoint(api, slow.url, ["ticket.created"])
        _endpoint(api, fast.url, ["ticket.created"])
        api.create(TICKET)
        pipeline.stream.run_until_quiet()
        pipeline.dispatch()

        # When
        started = time.monotonic()
        pipeline.deliver()

        # Then: the fast one was posted to at once, not after the slow one's answer
        assert fast.received[0].arrived - started < 1.5
        assert slow.received and time.monotonic() - started >= 3.0


def test_the_delivery_function_has_a_thread_for_every_record_of_a_batch() -> None:
    deliveries = template()["Resources"]["WebhookDeliveryFunction"]["Properties"]["Events"]["Deliveries"]
    assert deliveries["Properties"]["BatchSize"] == deliver.BATCH_SIZE


def test_a_disabled_endpoint_gets_nothing(api: Api, pipeline: WebhookPipeline, hooks: Receiver) -> None:
    # Given
    webhook = _endpoint(api, hooks.url)
    api.patch_webhook(webhook["id"], {"enabled": False})

    # When
    api.create(TICKET)
    pipeline.run()

    # Then
    assert hooks.received == []
    assert api.webhook_deliveries(webhook["id"]).data == []


def test_another_tenants_endpoint_never_hears_of_our_tickets(
    api: Api, pipeline: WebhookPipeline, tenants: TenantStore
) -> None:
    # Given
    tenants.create_tenant(Tenant(id="globex", name="Globex", ticket_prefix="GLX"))
    with receiver() as ours, receiver() as theirs:
        _endpoint(api, ours.url)
        _endpoint(Api("globex"), theirs.url)

        # When
        api.create(TICKET)
        pipeline.run()

        # Then
        assert ours.received and not theirs.received


def test_resend_sends_the_same_event_again(api: Api, pipeline: WebhookPipeline, hooks: Receiver) -> None:
    # Given
    webhook = _endpoint(api, hooks.url, ["ticket.created"])
    api.create(TICKET)
    pipeline.run()
    (delivery,) = api.webhook_deliveries(webhook["id"]).data

    # When
    resent = api.resend_webhook_delivery(webhook["id"], delivery["id"])
    pipeline.deliver()

    # Then
    assert resent.status == 202
    first, again = hooks.received
    assert first.body == again.body and first.webhook_id == again.webhook_id
    (logged,) = api.webhook_deliveries(webhook["id"]).data
    assert len(logged["attempts"]) == 2
    assert api.resend_webhook_delivery(webhook["id"], "01JS3Q8A1B2C3D4E5F6G7H8J9K").status == 404


def test_the_test_route_sends_a_webhook_test_event(
    api: Api, pipeline: WebhookPipeline, hooks: Receiver
) -> None:
    # Given
    webhook = _endpoint(api, hooks.url, ["ticket.created"])

    # When
    queued = api.test_webhook(webhook["id"])
    pipeline.deliver()

    # Then
    assert queued.status == 202 and queued.data["eventType"] == "webhook.test"
    (delivered,) = hooks.received
    assert delivered.verified(webhook["secret"])["type"] == "webhook.test"


def test_after_a_rotation_both_secrets_sign_for_a_day_then_only_the_new_one(
    api: Api, pipeline: WebhookPipeline, hooks: Receiver
) -> None:
    # Given
    webhook = _endpoint(api, hooks.url, ["ticket.created"])

    # When
    rotated = api.rotate_webhook_secret(webhook["id"])
    api.create(TICKET)
    pipeline.run()

    # Then
    assert rotated.status == 200 and rotated.data["secret"] != webhook["secret"]
    (delivered,) = hooks.received
    assert delivered.signed_by(webhook["secret"]) and delivered.signed_by(rotated.data["secret"])
    assert len(delivered.headers["webhook-signature"].split(" ")) == 2

    # When: a day later
    api.test_webhook(webhook["id"])
    (task,) = pipeline.take_tasks()
    pipeline.deliverer(clock=lambda: utc_now() + timedelta(hours=24, minutes=1)).attempt(task)

    # Then
    late = hooks.received[-1]
    assert late.headers["webhook-signature"].count("v1,") == 1
    assert late.headers["webhook-signature"] == _signature_of(late, rotated.data["secret"])


def _signature_of(received: Any, secret: str) -> str:
    from datetime import UTC, datetime

    from standardwebhooks import Webhook

    sent_at = datetime.fromtimestamp(int(received.headers["webhook-timestamp"]), UTC)
    return Webhook(secret).sign(received.webhook_id, sent_at, received.body)


def test_the_delivery_log_pages_newest_first(api: Api, pipeline: WebhookPipeline, hooks: Receiver) -> None:
    # Given
    webhook = _endpoint(api, hooks.url, ["ticket.created"])
    for _ in range(3):
        api.create(TICKET)
    pipeline.run()

    # When
    first = api.webhook_deliveries(webhook["id"], limit="2")
    second = api.webhook_deliveries(webhook["id"], limit="2", cursor=first.json["meta"]["nextCursor"])

    # Then
    ids = [entry["id"] for entry in first.data + second.data]
    assert len(ids) == 3 and ids == sorted(ids, reverse=True)
    assert second.json["meta"]["nextCursor"] is None
    assert api.webhook_deliveries(webhook["id"], limit="0").status == 400
    assert api.webhook_deliveries(webhook["id"], cursor="garbage").status == 400


def test_a_replayed_create_never_shows_the_secret_again_and_makes_no_second_endpoint(api: Api) -> None:
    # Given
    body = {"url": "https://hooks.example.com/tickets", "eventTypes": ["*"]}
    first = api.create_webhook(body, headers={"Idempotency-Key": "create-hook-1"})

    # When
    again = api.create_webhook(body, headers={"Idempotency-Key": "create-hook-1"})

    # Then
    assert first.status == again.status == 201
    assert first.data["secret"].startswith("whsec_")
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert again.data["id"] == first.data["id"] and again.data["secret"] is None
    assert len(api.list_webhooks().data) == 1
    assert first.data["secret"] not in json.dumps(table_items())
