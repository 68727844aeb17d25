"""Admin CLI: tenants, API keys (shown once), customers and agents, against a deployed table.

    python -m tickets.admin --stack tickets-api-dev create-tenant --id acme --name "Acme Inc." --prefix INV
    python -m tickets.admin --stack tickets-api-dev create-key --tenant acme --role admin --name "ops laptop"
    python -m tickets.admin --table <name> list-keys --tenant acme

The table is named directly (--table) or found in a CloudFormation stack's TableName output (--stack).
AWS_ENDPOINT_URL points it at a local emulator. Output is JSON, one object per line."""

from __future__ import annotations

import argparse
import json
import secrets
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from tickets import clients
from tickets.ids import new_ulid, utc_now
from tickets.logic import api_keys
from tickets.models.domain import Agent, ApiKey, Customer, Tenant, TenantPlan, json_dump
from tickets.models.enums import Role
from tickets.store.access import AccessRepository
from tickets.store.repository import TicketRepository


def stack_outputs(stack_name: str) -> dict[str, str]:
    stacks = clients.cloudformation().describe_stacks(StackName=stack_name)["Stacks"]
    outputs = {output["OutputKey"]: output["OutputValue"] for output in stacks[0].get("Outputs", [])}
    if "TableName" not in outputs:
        raise SystemExit(f"Stack {stack_name} has no TableName output")
    return outputs


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m tickets.admin", description=__doc__.split("\n")[0])
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--table", help="DynamoDB table name")
    where.add_argument("--stack", help="CloudFormation stack whose TableName output names the table")
    parser.add_argument(
        "--usage-plan-id", help="the stack's per-tenant usage plan (default: the stack's UsagePlanId output)"
    )
    commands = parser.add_subparsers(dest="command", required=True)

    tenant = commands.add_parser("create-tenant", help="create a tenant (an existing one is left unchanged)")
    tenant.add_argument("--id", required=True)
    tenant.add_argument("--name", required=True)
    tenant.add_argument("--prefix", required=True, help="ticket number prefix, e.g. INV")
    tenant.add_argument("--sender-email", help="the address notifications are sent from")
    tenant.add_argument("--monthly-ticket-quota", type=int, help="tickets a month (default: no limit)")

    usage = commands.add_parser("ensure-usage-key", help="give a tenant its rate-limit key if it has none")
    usage.add_argument("--tenant", required=True)

    plan = commands.add_parser("set-plan", help="change a tenant's plan")
    plan.add_argument("--tenant", required=True)
    plan.add_argument("--monthly-ticket-quota", type=int, help="tickets a month; leave out for no limit")

    key = commands.add_parser("create-key", help="create an API key; the key is printed once")
    key.add_argument("--tenant", required=True)
    key.add_argument("--role", required=True, choices=[role.value for role in Role])
    key.add_argument("--name", required=True, help="what the key is for")
    key.add_argument("--agent-id", help="the agent an agent key acts as")

    listing = commands.add_parser("list-keys", help="list a tenant's keys (never the keys themselves)")
    listing.add_argument("--tenant", required=True)

    revoke = commands.add_parser("revoke-key", help="revoke a key")
    revoke.add_argument("--tenant", required=True)
    revoke.add_argument("--key-id", required=True)

    customer = commands.add_parser("put-customer", help="create or replace a customer")
    customer.add_argument("--tenant", required=True)
    customer.add_argument("--external-id", required=True)
    customer.add_argument("--email")
    customer.add_argument("--name")

    agent = commands.add_parser("put-agent", help="create or replace an agent")
    agent.add_argument("--tenant", required=True)
    agent.add_argument("--id", required=True)
    agent.add_argument("--name", required=True)
    agent.add_argument("--email")
    return parser


@dataclass(frozen=True)
class Stores:
    tickets: TicketRepository
    access: AccessRepository
    usage_plan_id: str | None


def _ensure_usage_key(tenant: Tenant, stores: Stores) -> Tenant:
    """An API Gateway API key for the tenant in the per-tenant usage plan (its rate-limit bucket)."""
    if tenant.usage_key or stores.usage_plan_id is None:
        return tenant
    value = secrets.token_urlsafe(30)
    apigateway = clients.apigateway()
    created = apigateway.create_api_key(name=f"tenant-{tenant.id}", value=value, enabled=True)
    apigateway.create_usage_plan_key(usagePlanId=stores.usage_plan_id, keyId=created["id"], keyType="API_KEY")
    stores.tickets.set_usage_key(tenant.id, created["id"], value)
    return tenant.model_copy(update={"usage_key_id": created["id"], "usage_key": value})


def _tenant_view(tenant: Tenant) -> dict[str, Any]:
    view = json_dump(tenant)
    view.pop("usageKey", None)  # API Gateway's key value: the authorizer's business, not the operator's
    return view


def _key_view(key: ApiKey) -> dict[str, Any]:
    view = json_dump(key)
    view.pop("usageKey", None)
    return view


def create_tenant(arguments: argparse.Namespace, stores: Stores) -> dict[str, Any]:
    tenant = Tenant(
        id=arguments.id,
        name=arguments.name,
        ticket_prefix=arguments.prefix,
        sender_email=arguments.sender_email,
        plan=TenantPlan(monthly_ticket_quota=arguments.monthly_ticket_quota),
    )
    created = stores.tickets.create_tenant(tenant)
    stored = stores.tickets.get_tenant(tenant.id)
    assert stored is not None
    stored = _ensure_usage_key(stored, stores)
    warning = (
        None
        if stored.usage_key
        else "no usage plan given: the tenant's requests are refused on AWS until ensure-usage-key"
    )
    return {"tenant": _tenant_view(stored), "created": created} | ({"warning": warning} if warning else {})


def ensure_usage_key(arguments: argparse.Namespace, stores: Stores) -> dict[str, Any]:
    tenant = stores.tickets.get_tenant(arguments.tenant)
    if tenant is None:
        raise SystemExit(f"No tenant {arguments.tenant}")
    if stores.usage_plan_id is None:
        raise SystemExit("Name the usage plan: --stack, or --usage-plan-id")
    return {"tenant": _tenant_view(_ensure_usage_key(tenant, stores))}


def set_plan(arguments: argparse.Namespace, stores: Stores) -> dict[str, Any]:
    updated = stores.tickets.set_plan(
        arguments.tenant, TenantPlan(monthly_ticket_quota=arguments.monthly_ticket_quota)
    )
    if updated is None:
        raise SystemExit(f"No tenant {arguments.tenant}")
    return {"tenant": _tenant_view(updated)}


def create_key(arguments: argparse.Namespace, stores: Stores) -> dict[str, Any]:
    if (arguments.role == Role.AGENT) != bool(arguments.agent_id):
        raise SystemExit("--agent-id is required for an agent key, and only for one")
    tenant = stores.tickets.get_tenant(arguments.tenant)
    if tenant is None:
        raise SystemExit(f"No tenant {arguments.tenant}: create it first")
    key = ApiKey(
        tenant_id=arguments.tenant,
        id=api_keys.new_key_id(),
        role=arguments.role,
        agent_id=arguments.agent_id,
        name=arguments.name,
        created_at=utc_now(),
        usage_key=tenant.usage_key,
    )
    secret = api_keys.new_secret()
    stores.access.add_key(key, api_keys.key_hash(secret))
    return {"key": secret, "apiKey": _key_view(key), "note": "the key is shown once; store it now"}


def list_keys(arguments: argparse.Namespace, stores: Stores) -> dict[str, Any]:
    return {"apiKeys": [_key_view(key) for key in stores.access.list_keys(arguments.tenant)]}


def revoke_key(arguments: argparse.Namespace, stores: Stores) -> dict[str, Any]:
    revoked = stores.access.revoke_key(arguments.tenant, arguments.key_id, utc_now())
    if revoked is None:
        raise SystemExit(f"Tenant {arguments.tenant} has no key {arguments.key_id}")
    return {"apiKey": _key_view(revoked)}


def put_customer(arguments: argparse.Namespace, stores: Stores) -> dict[str, Any]:
    now = utc_now()
    customer = Customer(
        tenant_id=arguments.tenant,
        id=new_ulid(now),
        external_id=arguments.external_id,
        email=arguments.email,
        name=arguments.name,
        created_at=now,
        updated_at=now,
    )
    stores.tickets.put_customer(customer)
    return {"customer": json_dump(customer)}


def put_agent(arguments: argparse.Namespace, stores: Stores) -> dict[str, Any]:
    agent = Agent(
        tenant_id=arguments.tenant,
        id=arguments.id,
        name=arguments.name,
        email=arguments.email,
        created_at=utc_now(),
    )
    stored, _ = stores.tickets.put_agent(agent)
    return {"agent": json_dump(stored)}


COMMANDS: dict[str, Callable[[argparse.Namespace, Stores], dict[str, Any]]] = {
    "create-tenant": create_tenant,
    "ensure-usage-key": ensure_usage_key,
    "set-plan": set_plan,
    "create-key": create_key,
    "list-keys": list_keys,
    "revoke-key": revoke_key,
    "put-customer": put_customer,
    "put-agent": put_agent,
}


def run(arguments: argparse.Namespace) -> dict[str, Any]:
    outputs = stack_outputs(arguments.stack) if arguments.stack else {}
    table = arguments.table or outputs["TableName"]
    client = clients.dynamodb()
    plan_id = arguments.usage_plan_id or outputs.get("UsagePlanId")
    stores = Stores(TicketRepository(client, table), AccessRepository(client, table), plan_id)
    return COMMANDS[arguments.command](arguments, stores)


def main(argv: Sequence[str] | None = None) -> int:
    arguments = _parser().parse_args(argv)
    try:
        result = run(arguments)
    except ValidationError as error:
        print(json.dumps({"error": [issue["msg"] for issue in error.errors()]}), file=sys.stderr)
        return 2
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
