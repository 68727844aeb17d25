"""/v1/webhooks (admin keys only): endpoints, their secrets, their delivery log, resend and test."""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query

from tickets.api.request import IdempotencyKey, caller, reject_unknown_query
from tickets.api.resolver import build_resolver
from tickets.api.responses import envelope, enveloped, no_content, no_content_documented, success
from tickets.api.services import webhook_service
from tickets.ids import utc_now
from tickets.models.responses import SuccessEnvelope
from tickets.models.webhooks import (
    CreateWebhookRequest,
    Delivery,
    DeliveryListEnvelope,
    ListDeliveriesQuery,
    ListWebhooksQuery,
    PatchWebhookRequest,
    Webhook,
    WebhookWithSecret,
)

app = build_resolver()
PathWebhookId = Annotated[str, Path(min_length=1, max_length=64)]
PathDeliveryId = Annotated[str, Path(min_length=1, max_length=64)]


@app.post(
    "/v1/webhooks",
    summary="Create a webhook endpoint (its secret is shown only in this answer)",
    responses={201: enveloped(WebhookWithSecret, "Created, with its signing secret")},
)
def create_webhook(
    request: Annotated[CreateWebhookRequest, Body(embed=False)],
    _idempotency_key: IdempotencyKey = None,
) -> Response[str]:
    return success(webhook_service().create(caller(app), request), HTTPStatus.CREATED)


@app.get(
    "/v1/webhooks",
    summary="List the webhook endpoints, oldest first",
    responses={
        200: {
            "description": "Every endpoint of the tenant",
            "content": {"application/json": {"model": SuccessEnvelope[list[Webhook]]}},
        }
    },
)
def list_webhooks() -> Response[str]:
    reject_unknown_query(app, ListWebhooksQuery)
    return success(webhook_service().list(caller(app)))


@app.get(
    "/v1/webhooks/<webhookId>",
    summary="Get a webhook endpoint",
    responses={200: enveloped(Webhook, "The endpoint")},
)
def get_webhook(webhookId: PathWebhookId) -> Response[str]:
    return success(webhook_service().get(caller(app), webhookId))


@app.patch(
    "/v1/webhooks/<webhookId>",
    summary="Change a webhook endpoint's url, eventTypes, enabled or description",
    responses={200: enveloped(Webhook, "The changed endpoint")},
)
def patch_webhook(
    webhookId: PathWebhookId,
    request: Annotated[PatchWebhookRequest, Body(embed=False)],
    _idempotency_key: IdempotencyKey = None,
) -> Response[str]:
    return success(webhook_service().patch(caller(app), webhookId, request))


@app.delete(
    "/v1/webhooks/<webhookId>",
    summary="Delete a webhook endpoint (nothing more is sent to it)",
    responses={204: no_content_documented("Deleted")},
)
def delete_webhook(webhookId: PathWebhookId, _idempotency_key: IdempotencyKey = None) -> Response[str]:
    webhook_service().delete(caller(app), webhookId)
    return no_content()


@app.post(
    "/v1/webhooks/<webhookId>/rotate-secret",
    summary="Replace the signing secret; the old one still signs for 24 hours",
    responses={200: enveloped(WebhookWithSecret, "The endpoint with its new secret")},
)
def rotate_webhook_secret(webhookId: PathWebhookId, _idempotency_key: IdempotencyKey = None) -> Response[str]:
    return success(webhook_service().rotate_secret(caller(app), webhookId))


@app.get(
    "/v1/webhooks/<webhookId>/deliveries",
    summary="An endpoint's deliveries, newest first: status, attempts and the next attempt",
    responses={
        200: {
            "description": "A page of deliveries",
            "content": {"application/json": {"model": DeliveryListEnvelope}},
        }
    },
)
def list_webhook_deliveries(
    webhookId: PathWebhookId, query: Annotated[ListDeliveriesQuery, Query()]
) -> Response[str]:
    reject_unknown_query(app, ListDeliveriesQuery)
    page = webhook_service().deliveries(caller(app), webhookId, query)
    return envelope(DeliveryListEnvelope(data=page.data, meta=page.meta, timestamp=utc_now()))


@app.post(
    "/v1/webhooks/<webhookId>/deliveries/<deliveryId>/resend",
    summary="Attempt a delivery again, now",
    responses={202: enveloped(Delivery, "Accepted: an attempt is queued")},
)
def resend_webhook_delivery(
    webhookId: PathWebhookId, deliveryId: PathDeliveryId, _idempotency_key: IdempotencyKey = None
) -> Response[str]:
    return success(webhook_service().resend(caller(app), webhookId, deliveryId), HTTPStatus.ACCEPTED)


@app.post(
    "/v1/webhooks/<webhookId>/test",
    summary="Send a webhook.test event to this endpoint",
    responses={202: enveloped(Delivery, "Accepted: the test event's delivery, queued")},
)
def test_webhook(webhookId: PathWebhookId, _idempotency_key: IdempotencyKey = None) -> Response[str]:
    return success(webhook_service().test(caller(app), webhookId), HTTPStatus.ACCEPTED)
