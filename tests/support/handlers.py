"""Invoke the Lambda handlers in-process, exactly as Lambda imports them (functions/<name>/app.py)."""

from __future__ import annotations

import importlib.util
import json
from dataclasses import dataclass
from functools import cache
from types import ModuleType
from typing import Any

from tests.support.aws import ROOT
from tests.support.events import api_event


@dataclass
class LambdaContext:
    function_name: str = "tickets-test"
    function_version: str = "$LATEST"
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:tickets-test"
    memory_limit_in_mb: int = 512
    aws_request_id: str = "00000000-0000-0000-0000-000000000000"
    log_group_name: str = "/aws/lambda/tickets-test"
    log_stream_name: str = "2026/04/18/[$LATEST]0000"

    @staticmethod
    def get_remaining_time_in_millis() -> int:
        return 10_000


@dataclass
class ApiResponse:
    status: int
    headers: dict[str, str]
    json: dict[str, Any]

    @property
    def data(self) -> Any:
        return self.json["data"]

    @property
    def error(self) -> dict[str, Any]:
        return self.json["error"]  # type: ignore[no-any-return]

    def error_fields(self) -> set[str]:
        return {detail["field"] for detail in self.error["details"]}


@cache
def handler_module(function: str) -> ModuleType:
    path = ROOT / "functions" / function / "app.py"
    spec = importlib.util.spec_from_file_location(f"functions_{function}_app", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def invoke(function: str, event: dict[str, Any]) -> ApiResponse:
    result = handler_module(function).lambda_handler(event, LambdaContext(function_name=function))
    headers = dict(result.get("headers") or {})
    for name, values in (result.get("multiValueHeaders") or {}).items():
        headers.setdefault(name, values[-1])
    return ApiResponse(result["statusCode"], headers, json.loads(result["body"]) if result["body"] else {})


class Api:
    """The ticket, customer, agent and webhook routes, as one tenant's key (admin unless said) sees
    them."""

    def __init__(self, tenant_id: str = "acme", role: str = "admin", agent_id: str | None = None) -> None:
        self.tenant_id = tenant_id
        self.caller = {"tenant_id": tenant_id, "role": role, "agent_id": agent_id}

    def create(self, body: Any = None, **kwargs: Any) -> ApiResponse:
        return invoke("create_ticket", api_event("create_ticket", body=body, **(self.caller | kwargs)))

    def list(self, **query: str | list[str]) -> ApiResponse:
        return invoke("list_tickets", api_event("list_tickets", query=query, **self.caller))

    def get(self, ticket_id: str, **query: str) -> ApiResponse:
        event = api_event("get_ticket", ticket_id=ticket_id, query=query, **self.caller)
        return invoke("get_ticket", event)

    def events(self, ticket_id: str, **query: str) -> ApiResponse:
        event = api_event("ticket_events", ticket_id=ticket_id, query=query, **self.caller)
        return invoke("ticket_events", event)

    def reply(self, ticket_id: str, body: Any = None, **kwargs: Any) -> ApiResponse:
        event = api_event("reply_ticket", body=body, ticket_id=ticket_id, **(self.caller | kwargs))
        return invoke("reply_ticket", event)

    def update(self, ticket_id: str, body: Any = None, **kwargs: Any) -> ApiResponse:
        event = api_event("update_ticket", body=body, ticket_id=ticket_id, **(self.caller | kwargs))
        return invoke("update_ticket", event)

    def delete(self, ticket_id: str, **kwargs: Any) -> ApiResponse:
        event = api_event("delete_ticket", ticket_id=ticket_id, **(self.caller | kwargs))
        return invoke("delete_ticket", event)

    def put_customer(self, external_id: str, body: Any = None, **kwargs: Any) -> ApiResponse:
        event = api_event(
            "upsert_customer", body=body, path={"externalId": external_id}, **(self.caller | kwargs)
        )
        return invoke("customers", event)

    def get_customer(self, external_id: str) -> ApiResponse:
        return invoke("customers", api_event("get_customer", path={"externalId": external_id}, **self.caller))

    def list_customers(self, **query: str) -> ApiResponse:
        return invoke("customers", api_event("list_customers", query=query, **self.caller))

    def put_agent(self, agent_id: str, body: Any = None, **kwargs: Any) -> ApiResponse:
        event = api_event("put_agent", body=body, path={"agentId": agent_id}, **(self.caller | kwargs))
        return invoke("agents", event)

    def patch_agent(self, agent_id: str, body: Any = None, **kwargs: Any) -> ApiResponse:
        event = api_event("patch_agent", body=body, path={"agentId": agent_id}, **(self.caller | kwargs))
        return invoke("agents", event)

    def list_agents(self, **query: str) -> ApiResponse:
        return invoke("agents", api_event("list_agents", query=query, **self.caller))

    def put_sla_policy(self, policy_id: str, body: Any = None) -> ApiResponse:
        event = api_event("put_sla_policy", path={"policyId": policy_id}, body=body, **self.caller)
        return invoke("sla_policies", event)

    def delete_sla_policy(self, policy_id: str) -> ApiResponse:
        event = api_event("delete_sla_policy", path={"policyId": policy_id}, **self.caller)
        return invoke("sla_policies", event)

    def create_webhook(self, body: Any = None, **kwargs: Any) -> ApiResponse:
        return invoke("webhooks", api_event("create_webhook", body=body, **(self.caller | kwargs)))

    def list_webhooks(self, **query: str) -> ApiResponse:
        return invoke("webhooks", api_event("list_webhooks", query=query, **self.caller))

    def get_webhook(self, webhook_id: str) -> ApiResponse:
        return invoke("webhooks", api_event("get_webhook", path={"webhookId": webhook_id}, **self.caller))

    def patch_webhook(self, webhook_id: str, body: Any = None, **kwargs: Any) -> ApiResponse:
        event = api_event(
            "patch_webhook", body=body, path={"webhookId": webhook_id}, **(self.caller | kwargs)
        )
        return invoke("webhooks", event)

    def delete_webhook(self, webhook_id: str) -> ApiResponse:
        return invoke("webhooks", api_event("delete_webhook", path={"webhookId": webhook_id}, **self.caller))

    def rotate_webhook_secret(self, webhook_id: str) -> ApiResponse:
        event = api_event("rotate_webhook_secret", path={"webhookId": webhook_id}, **self.caller)
        return invoke("webhooks", event)

    def webhook_deliveries(self, webhook_id: str, **query: str) -> ApiResponse:
        event = api_event(
            "list_webhook_deliveries", path={"webhookId": webhook_id}, query=query, **self.caller
        )
        return invoke("webhooks", event)

    def resend_webhook_delivery(self, webhook_id: str, delivery_id: str) -> ApiResponse:
        path = {"webhookId": webhook_id, "deliveryId": delivery_id}
        return invoke("webhooks", api_event("resend_webhook_delivery", path=path, **self.caller))

    def create_realtime_token(self, **kwargs: Any) -> ApiResponse:
        return invoke("realtime_tokens", api_event("create_realtime_token", **(self.caller | kwargs)))

    def test_webhook(self, webhook_id: str) -> ApiResponse:
        return invoke("webhooks", api_event("test_webhook", path={"webhookId": webhook_id}, **self.caller))
