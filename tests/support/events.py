"""API Gateway REST (v1 proxy) events: the files in events/, adapted to each test's request."""

from __future__ import annotations

import copy
import json
from functools import cache
from typing import Any
from urllib.parse import quote

from tests.support.aws import ROOT

EVENTS = ROOT / "events"
DEFAULT_TENANT = "acme"
_ROUTES = {
    "create_realtime_token": "realtime_tokens_create.json",
    "me": "me_get.json",
    "put_sla_policy": "sla_policies_put.json",
    "get_sla_policy": "sla_policies_get.json",
    "delete_sla_policy": "sla_policies_delete.json",
    "list_sla_policies": "sla_policies_list.json",
    "create_ticket": "create_ticket.json",
    "list_tickets": "list_tickets.json",
    "get_ticket": "get_ticket.json",
    "ticket_events": "ticket_events.json",
    "reply_ticket": "reply_ticket_agent.json",
    "update_ticket": "update_ticket_close.json",
    "delete_ticket": "delete_ticket.json",
    "upsert_customer": "customers_put.json",
    "get_customer": "customers_get.json",
    "list_customers": "customers_list.json",
    "put_agent": "agents_put.json",
    "patch_agent": "agents_patch.json",
    "list_agents": "agents_list.json",
    "create_webhook": "webhooks_create.json",
    "list_webhooks": "webhooks_list.json",
    "get_webhook": "webhooks_get.json",
    "patch_webhook": "webhooks_patch.json",
    "delete_webhook": "webhooks_delete.json",
    "rotate_webhook_secret": "webhooks_rotate_secret.json",
    "list_webhook_deliveries": "webhooks_deliveries.json",
    "resend_webhook_delivery": "webhooks_resend.json",
    "test_webhook": "webhooks_test.json",
    "supportdesk_create_ticket": "supportdesk_create_ticket.json",
    "paymenter_list_tickets": "paymenter_list_tickets.json",
    "paymenter_get_ticket": "paymenter_get_ticket.json",
    "paymenter_create_ticket": "paymenter_create_ticket.json",
    "paymenter_update_ticket": "paymenter_update_ticket.json",
    "paymenter_delete_ticket": "paymenter_delete_ticket.json",
    "paymenter_add_message": "paymenter_add_message.json",
    "sellgate_list_tickets": "sellgate_list_tickets.json",
    "sellgate_get_ticket": "sellgate_get_ticket.json",
    "sellgate_reply_ticket": "sellgate_reply_ticket.json",
    "sellgate_update_ticket": "sellgate_update_ticket.json",
    "jtl_create_ticket": "jtl_create_ticket.json",
}


@cache
def _load(name: str) -> dict[str, Any]:
    with (EVENTS / name).open() as handle:
        return json.load(handle)  # type: ignore[no-any-return]


def websocket_event(name: str) -> dict[str, Any]:
    """An events/ file of the WebSocket API's functions, as is (their caller is no REST key)."""
    return _load(name)


def load_event(
    name: str, tenant_id: str | None = DEFAULT_TENANT, ticket_id: str | None = None
) -> dict[str, Any]:
    """An events/ file as is, for another tenant or ticket when asked."""
    event = copy.deepcopy(_load(name))
    _set_caller(event, tenant_id, "admin", None)
    if ticket_id is not None:
        _set_ticket(event, ticket_id)
    return event


def _set_caller(event: dict[str, Any], tenant_id: str | None, role: str, agent_id: str | None) -> None:
    """The context the authorizer gives a request of this tenant's key with this role."""
    if tenant_id is None:
        event["requestContext"].pop("authorizer", None)
        return
    context = {
        "principalId": f"key_{tenant_id}",
        "keyId": f"key_{tenant_id}",
        "tenantId": tenant_id,
        "role": role,
    }
    if agent_id is not None:
        context["agentId"] = agent_id
    event["requestContext"]["authorizer"] = context


def _set_ticket(event: dict[str, Any], ticket_id: str) -> None:
    _set_path(event, {"ticketId": ticket_id})


def _set_path(event: dict[str, Any], parameters: dict[str, str]) -> None:
    """The resource's {placeholders} filled in, percent-encoded in the path as a client sends them."""
    path: str = event["resource"]
    for name, value in parameters.items():
        path = path.replace(f"{{{name}}}", quote(value, safe=""))
    event["path"] = path
    event["requestContext"]["path"] = f"/dev{path}"
    event["pathParameters"] = parameters


def api_event(
    function: str,
    *,
    body: Any = None,
    raw_body: str | None = None,
    query: dict[str, str | list[str]] | None = None,
    ticket_id: str | None = None,
    path: dict[str, str] | None = None,
    tenant_id: str | None = DEFAULT_TENANT,
    role: str = "admin",
    agent_id: str | None = None,
    headers: dict[str, str] | None = None,
    resource: str | None = None,
) -> dict[str, Any]:
    """A realistic event for `function`, built from its base file in events/."""
    event = copy.deepcopy(_load(_ROUTES[function]))
    if resource is not None:
        event["resource"] = event["requestContext"]["resourcePath"] = resource
    _set_caller(event, tenant_id, role, agent_id)
    if ticket_id is not None:
        _set_ticket(event, ticket_id)
    if path is not None:
        _set_path(event, path)
    event["body"] = raw_body if raw_body is not None else (json.dumps(body) if body is not None else None)
    if event["body"] is not None:
        event["headers"].setdefault("Content-Type", "application/json")
    else:
        event["headers"].pop("Content-Type", None)
    event["headers"].update(headers or {})
    event["multiValueHeaders"] = {name: [value] for name, value in event["headers"].items()}
    if query is not None:
        multi = {name: value if isinstance(value, list) else [value] for name, value in query.items()}
        event["multiValueQueryStringParameters"] = multi or None
        event["queryStringParameters"] = {name: values[-1] for name, values in multi.items()} or None
    return event
