"""Admin CLI: tenants, API keys (shown once), customers and agents, in a stack's table.

    make admin ARGS="--local create-key --tenant acme --role integration --name billing"
    make admin ARGS="--local list-keys --tenant acme"
    make admin ARGS='--stack tickets-api-dev create-tenant --id acme --name "Acme Inc." --prefix INV'
    make admin ARGS="--stack tickets-api-dev revoke-key --tenant acme --key-id key_0123456789ab"
    make admin ARGS="--local set-channel-sellers --tenant acme --seller-id 4711 --seller-id 4712"
    make admin ARGS="--stack tickets-api-dev upgrade-lists --tenant acme"
    make admin ARGS="--local put-sla-policy --tenant acme --id default --file policy.json"
    PYTHONPATH=layers/shared .venv/bin/python -m tickets.admin --table <name> list-keys --tenant acme

--local is the stack `make run` keeps running: .local/stack.json names its endpoint and table
(--stack-file reads another, e.g. .local/e2e/stack.json). --stack is a deployed stack, whose TableName
output names the table and UsagePlanId the tenants' rate-limit plan. --table names a table directly.
Output is JSON, one object per line. An error is one line on stderr; the exit code is 1 when AWS fails
or a check refuses the operation, 2 for a wrong argument."""

from __future__ import annotations

import argparse
import json
import secrets
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError, HTTPClientError, NoCredentialsError, NoRegionError
from botocore.exceptions import ConnectionError as AwsConnectionError
from pydantic import TypeAdapter, ValidationError

from tickets import clients
from tickets.errors import DomainError
from tickets.ids import format_timestamp, new_ulid, utc_now
from tickets.logic import api_keys
from tickets.logic.access import Caller
from tickets.logic.business_hours import BusinessClock
from tickets.logic.sla import SlaPolicyService
from tickets.models.domain import OPERATOR, Agent, ApiKey, Customer, Tenant, TenantPlan, json_dump
from tickets.models.enums import Priority, Role
from tickets.models.sla import PutSlaPolicyRequest, SlaPolicyId
from tickets.models.types import (
    MAX_ADMIN_EMAILS,
    MAX_CHANNEL_SELLERS,
    AdminEmails,
    ChannelSellerIds,
    CustomerExternalId,
    QueryTimestamp,
)
from tickets.store.access import AccessRepository
from tickets.store.agents import AgentStore
from tickets.store.customers import CustomerStore
from tickets.store.errors import StoreUnavailable
from tickets.store.sla import SlaPolicyStore
from tickets.store.tenants import TenantStore
from tickets.store.upgrades import UpgradeStore

# Written by `make run` (tests/support/local_stack.py), relative to the repository (the working directory).
LOCAL_STACK_FILE = Path(".local/stack.json")
# What the local emulator (MiniStack) takes: any credentials, one region.
LOCAL_REGION = "us-east-1"
LOCAL_CREDENTIALS = "test"
LOCAL_HINT = "for the local stack use --local, with `make run` running"
EXIT_REFUSED = 1  # AWS failed, or a check refused the operation
EXIT_INVALID = 2  # a wrong argument (argparse's code for usage errors too)
CUSTOMER_EXTERNAL_ID: TypeAdapter[str] = TypeAdapter(CustomerExternalId)
# Options whose model field has another name (the others are the field with dashes).
_OPTION_OF_FIELD = {"ticket_prefix": "prefix", "tenant_id": "tenant", "admin_emails": "admin_email"}


class Refused(Exception):
    """The operation is not done; the message says why and what to do (exit 1)."""


class Invalid(Exception):
    """An argument's value is wrong; the message says which and why (exit 2)."""


@dataclass(frozen=True)
class LocalStack:
    endpoint: str
    table_name: str


def local_stack(stack_file: Path | None) -> LocalStack:
    """The endpoint and table of the local stack, from the file `make run` writes."""
    file = stack_file or LOCAL_STACK_FILE
    try:
        document = json.loads(file.read_text())
    except FileNotFoundError:
        if stack_file is None:
            raise Refused("no local stack: start it with `make run`") from None
        raise Refused(f"no local stack file {file}: start that stack first") from None
    except (OSError, ValueError) as error:
        raise Refused(f"cannot read {file} ({error}): start the stack again with `make run`") from None
    fields = document if isinstance(document, dict) else {}
    endpoint, table = fields.get("endpoint"), fields.get("tableName")
    if not isinstance(endpoint, str) or not isinstance(table, str):
        raise Refused(f"{file} names no endpoint and tableName: start the stack again with `make run`")
    return LocalStack(endpoint, table)


def stack_outputs(stack_name: str) -> dict[str, str]:
    cloudformation = clients.cloudformation()
    try:
        stacks = cloudformation.describe_stacks(StackName=stack_name)["Stacks"]
    except ClientError as error:
        if "does not exist" not in error.response["Error"].get("Message", ""):
            raise
        region = cloudformation.meta.region_name
        raise Refused(
            f'no stack "{stack_name}" in {region} ({_deployed_stacks()}): check --stack and the region '
            f"(AWS_REGION), or {LOCAL_HINT}"
        ) from None
    outputs = {output["OutputKey"]: output["OutputValue"] for output in stacks[0].get("Outputs", [])}
    if "TableName" not in outputs:
        raise Refused(f'stack "{stack_name}" has no TableName output: is it a Tickets API stack?')
    return outputs


def _deployed_stacks(shown: int = 10) -> str:
    try:
        names = sorted(stack["StackName"] for stack in clients.cloudformation().describe_stacks()["Stacks"])
    except (BotoCoreError, ClientError):  # only a hint: no permission to list is no reason to fail here
        return "cannot list the stacks there"
    if not names:
        return "no stacks deployed there"
    more = f", and {len(names) - shown} more" if len(names) > shown else ""
    return "deployed stacks: " + ", ".join(names[:shown]) + more


def _parser() -> argparse.ArgumentParser:
    summary, _, examples = __doc__.partition("\n\n")
    parser = argparse.ArgumentParser(
        prog="python -m tickets.admin",
        description=summary,
        epilog=examples,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--table", help="DynamoDB table name")
    where.add_argument("--stack", help="CloudFormation stack whose TableName output names the table")
    where.add_argument(
        "--local", action="store_true", help=f"the local stack of `make run` (reads {LOCAL_STACK_FILE})"
    )
    parser.add_argument(
        "--stack-file", type=Path, help=f"with --local: the stack file to read instead of {LOCAL_STACK_FILE}"
    )
    parser.add_argument(
        "--usage-plan-id", help="the stack's per-tenant usage plan (default: the stack's UsagePlanId output)"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    _tenant_commands(commands)
    _directory_commands(commands)
    return parser


def _tenant_commands(commands: Any) -> None:
    """The tenant's own settings."""
    tenant = commands.add_parser("create-tenant", help="create a tenant (an existing one is left unchanged)")
    tenant.add_argument("--id", required=True)
    tenant.add_argument("--name", required=True)
    tenant.add_argument("--prefix", required=True, help="ticket number prefix, e.g. INV")
    tenant.add_argument("--sender-email", help="the address notifications are sent from")
    tenant.add_argument("--monthly-ticket-quota", type=int, help="tickets a month (default: no limit)")
    tenant.add_argument(
        "--admin-email",
        action="append",
        dest="admin_emails",
        help="who is told when a webhook endpoint is disabled; repeat (see set-admin-emails)",
    )

    usage = commands.add_parser("ensure-usage-key", help="give a tenant its rate-limit key if it has none")
    usage.add_argument("--tenant", required=True)

    plan = commands.add_parser("set-plan", help="change a tenant's plan")
    plan.add_argument("--tenant", required=True)
    plan.add_argument("--monthly-ticket-quota", type=int, help="tickets a month; leave out for no limit")

    sellers = commands.add_parser(
        "set-channel-sellers",
        help="set the sales-channel seller ids a tenant answers for (replaces the list)",
    )
    sellers.add_argument("--tenant", required=True)
    chosen = sellers.add_mutually_exclusive_group(required=True)
    chosen.add_argument(
        "--seller-id", action="append", dest="seller_ids", help="a seller id (1-50 of A-Z a-z 0-9 _); repeat"
    )
    chosen.add_argument(
        "--no-sellers", action="store_true", help="answer for no seller: every channel ticket is refused"
    )

    admins = commands.add_parser(
        "set-admin-emails",
        help="set who is told of what needs an admin, such as a disabled webhook endpoint "
        "(replaces the list)",
    )
    admins.add_argument("--tenant", required=True)
    chosen_admins = admins.add_mutually_exclusive_group(required=True)
    chosen_admins.add_argument(
        "--email", action="append", dest="emails", help=f"an address (at most {MAX_ADMIN_EMAILS}); repeat"
    )
    chosen_admins.add_argument("--no-emails", action="store_true", help="tell nobody")


def _directory_commands(commands: Any) -> None:
    """Who works and is served in a tenant: its keys, customers and agents; and its upgrades."""
    key = commands.add_parser("create-key", help="create an API key; the key is printed once")
    key.add_argument("--tenant", required=True)
    key.add_argument("--role", required=True, choices=[role.value for role in Role])
    key.add_argument("--name", required=True, help="what the key is for")
    key.add_argument("--agent-id", help="the agent an agent key acts as (an existing agent)")

    listing = commands.add_parser("list-keys", help="list a tenant's keys (never the keys themselves)")
    listing.add_argument("--tenant", required=True)

    revoke = commands.add_parser("revoke-key", help="revoke a key (a revoked key stays as it is)")
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

    policy = commands.add_parser(
        "put-sla-policy",
        help="create or replace an SLA policy from a JSON file (the body of PUT /v1/sla-policies/{id})",
    )
    policy.add_argument("--tenant", required=True)
    policy.add_argument("--id", required=True)
    policy.add_argument(
        "--file", required=True, type=Path, help="the policy: {name, targets, businessHours, appliesTo}"
    )
    policies = commands.add_parser("list-sla-policies", help="list a tenant's SLA policies")
    policies.add_argument("--tenant", required=True)
    due = commands.add_parser(
        "sla-due",
        help="when a policy's targets would be due for a ticket opened at a time (a check of its hours)",
    )
    due.add_argument("--tenant", required=True)
    due.add_argument("--id", required=True)
    due.add_argument("--priority", required=True, type=Priority, choices=list(Priority))
    due.add_argument("--opened", required=True, help="when the ticket is opened, ISO-8601 with its zone")
    unpolicy = commands.add_parser("delete-sla-policy", help="delete an SLA policy")
    unpolicy.add_argument("--tenant", required=True)
    unpolicy.add_argument("--id", required=True)

    upgrade = commands.add_parser(
        "upgrade-lists",
        help="bring a tenant's tickets written before 2026-12 into the update order and delete its "
        "retired lists (safe while the API runs, and to run again)",
    )
    upgrade.add_argument("--tenant", required=True)


def _check_combinations(parser: argparse.ArgumentParser, arguments: argparse.Namespace) -> None:
    """Options that go only together (argparse's own usage error: exit 2)."""
    if arguments.stack_file is not None and not arguments.local:
        parser.error("--stack-file goes with --local")
    if arguments.local and arguments.usage_plan_id:
        parser.error("--usage-plan-id does not go with --local: the local stack has no usage plan")
    if arguments.command == "create-key" and (arguments.role == Role.AGENT) != bool(arguments.agent_id):
        parser.error("--agent-id is required for an agent key, and only for one")


@dataclass(frozen=True)
class Stores:
    tenants: TenantStore
    customers: CustomerStore
    agents: AgentStore
    access: AccessRepository
    upgrades: UpgradeStore
    sla_policies: SlaPolicyStore
    usage_plan_id: str | None
    # The local stack: no usage plan (MiniStack has no authorizer-sourced usage keys), none needed.
    local: bool = False


def _existing_tenant(tenant_id: str, stores: Stores) -> Tenant:
    """Tenants are never deleted, so a tenant read here is still there when the write follows."""
    tenant = stores.tenants.get_tenant(tenant_id)
    if tenant is None:
        raise Refused(f'no tenant "{tenant_id}": create it first with create-tenant')
    return tenant


def _ensure_usage_key(tenant: Tenant, stores: Stores) -> Tenant:
    """An API Gateway API key for the tenant in the per-tenant usage plan (its rate-limit bucket)."""
    if tenant.usage_key or stores.usage_plan_id is None:
        return tenant
    value = secrets.token_urlsafe(30)
    apigateway = clients.apigateway()
    created = apigateway.create_api_key(name=f"tenant-{tenant.id}", value=value, enabled=True)
    apigateway.create_usage_plan_key(usagePlanId=stores.usage_plan_id, keyId=created["id"], keyType="API_KEY")
    stores.tenants.set_usage_key(tenant.id, created["id"], value)
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
        admin_emails=arguments.admin_emails or [],
    )
    created = stores.tenants.create_tenant(tenant)
    stored = _ensure_usage_key(_existing_tenant(tenant.id, stores), stores)
    warning = (
        None
        if stored.usage_key or stores.local
        else "no usage plan given: the tenant's requests are refused on AWS until ensure-usage-key"
    )
    return {"tenant": _tenant_view(stored), "created": created} | ({"warning": warning} if warning else {})


def ensure_usage_key(arguments: argparse.Namespace, stores: Stores) -> dict[str, Any]:
    tenant = _existing_tenant(arguments.tenant, stores)
    if stores.local:
        raise Refused("the local stack has no usage plan: its tenants need no usage key")
    if stores.usage_plan_id is None:
        raise Refused("name the usage plan: --stack, or --usage-plan-id")
    return {"tenant": _tenant_view(_ensure_usage_key(tenant, stores))}


def set_plan(arguments: argparse.Namespace, stores: Stores) -> dict[str, Any]:
    updated = stores.tenants.set_plan(
        arguments.tenant, TenantPlan(monthly_ticket_quota=arguments.monthly_ticket_quota)
    )
    if updated is None:
        raise Refused(f'no tenant "{arguments.tenant}": create it first with create-tenant')
    return {"tenant": _tenant_view(updated)}


@dataclass(frozen=True)
class _ListRules:
    """A tenant's list set by a repeated option: its rules, and how a refusal says them."""

    option: str
    adapter: TypeAdapter[list[str]]
    item_rule: str  # what a refused value is not
    length_rule: str  # what too many values break


SELLER_ID_RULES = _ListRules(
    "--seller-id",
    TypeAdapter(ChannelSellerIds),
    "is not 1 to 50 of A-Z a-z 0-9 _",
    f"at most {MAX_CHANNEL_SELLERS} seller ids",
)
ADMIN_EMAIL_RULES = _ListRules(
    "--email", TypeAdapter(AdminEmails), "is not an email address", f"at most {MAX_ADMIN_EMAILS} addresses"
)


def _list_issue(issue: Any, given: list[str], rules: _ListRules) -> str:
    if issue["loc"]:  # one of the values
        return f"{given[issue['loc'][0]]!r} {rules.item_rule}"
    if issue["type"] == "too_long":
        return rules.length_rule
    return str(issue["msg"]).removeprefix("Value error, ")


def _replace_tenant_list(
    tenant_id: str,
    given: list[str],
    rules: _ListRules,
    write: Callable[[str, list[str]], Tenant | None],
) -> dict[str, Any]:
    """The tenant with its list replaced by `given`, if the rules take every value."""
    try:
        values = rules.adapter.validate_python(given)
    except ValidationError as error:
        refused = "; ".join(_list_issue(issue, given, rules) for issue in error.errors())
        raise Invalid(f"{rules.option}: {refused}") from None
    updated = write(tenant_id, values)
    if updated is None:
        raise Refused(f'no tenant "{tenant_id}": create it first with create-tenant')
    return {"tenant": _tenant_view(updated)}


def set_channel_sellers(arguments: argparse.Namespace, stores: Stores) -> dict[str, Any]:
    given = arguments.seller_ids or []
    return _replace_tenant_list(arguments.tenant, given, SELLER_ID_RULES, stores.tenants.set_channel_sellers)


def set_admin_emails(arguments: argparse.Namespace, stores: Stores) -> dict[str, Any]:
    given = arguments.emails or []
    return _replace_tenant_list(arguments.tenant, given, ADMIN_EMAIL_RULES, stores.tenants.set_admin_emails)


def create_key(arguments: argparse.Namespace, stores: Stores) -> dict[str, Any]:
    key = ApiKey(
        tenant_id=arguments.tenant,
        id=api_keys.new_key_id(),
        role=arguments.role,
        agent_id=arguments.agent_id,
        name=arguments.name,
        created_at=utc_now(),
    )
    tenant = _existing_tenant(arguments.tenant, stores)
    # Agents are never deleted either: one read is enough.
    if key.agent_id is not None and stores.agents.get_agent(tenant.id, key.agent_id) is None:
        raise Refused(f'tenant "{tenant.id}" has no agent "{key.agent_id}": create it first with put-agent')
    key = key.model_copy(update={"usage_key": tenant.usage_key})
    secret = api_keys.new_secret()
    stores.access.add_key(key, api_keys.key_hash(secret))
    return {"key": secret, "apiKey": _key_view(key), "note": "the key is shown once; store it now"}


def list_keys(arguments: argparse.Namespace, stores: Stores) -> dict[str, Any]:
    return {"apiKeys": [_key_view(key) for key in stores.access.list_keys(arguments.tenant)]}


def revoke_key(arguments: argparse.Namespace, stores: Stores) -> dict[str, Any]:
    revoked = stores.access.revoke_key(arguments.tenant, arguments.key_id, utc_now())
    if revoked is None:
        raise Refused(f'tenant "{arguments.tenant}" has no key "{arguments.key_id}"')
    key, revoked_now = revoked
    return {"apiKey": _key_view(key), "alreadyRevoked": not revoked_now}


def put_customer(arguments: argparse.Namespace, stores: Stores) -> dict[str, Any]:
    try:  # the id rules of PUT /v1/customers/{externalId} (no "/", which API Gateway cannot route)
        CUSTOMER_EXTERNAL_ID.validate_python(arguments.external_id)
    except ValidationError as error:
        raise Invalid(f"--external-id: {_invalid_line(error)}") from None
    now = utc_now()
    customer = Customer(
        tenant_id=arguments.tenant,
        id=new_ulid(now),
        external_id=arguments.external_id,
        email=arguments.email,
        name=arguments.name,
        created_at=now,
        updated_at=now,
        changed_by=OPERATOR,
    )
    _existing_tenant(customer.tenant_id, stores)
    stored, created = stores.customers.upsert_customer(customer)  # an existing one keeps its id and createdAt
    return {"customer": json_dump(stored), "created": created}


def put_agent(arguments: argparse.Namespace, stores: Stores) -> dict[str, Any]:
    now = utc_now()
    agent = Agent(
        tenant_id=arguments.tenant,
        id=arguments.id,
        name=arguments.name,
        email=arguments.email,
        created_at=now,
        updated_at=now,
        changed_by=OPERATOR,
    )
    _existing_tenant(agent.tenant_id, stores)
    stored, _ = stores.agents.put_agent(agent)
    return {"agent": json_dump(stored)}


def _operator(tenant_id: str, stores: Stores) -> Caller:
    """The CLI acting as an admin of the tenant (the tenant must exist)."""
    _existing_tenant(tenant_id, stores)
    return Caller(tenant_id=tenant_id, role=Role.ADMIN, key_id="operator")


def put_sla_policy(arguments: argparse.Namespace, stores: Stores) -> dict[str, Any]:
    try:
        text = arguments.file.read_text(encoding="utf-8")
    except OSError as error:
        raise Invalid(f"cannot read --file: {error.strerror}") from None
    try:
        request = PutSlaPolicyRequest.model_validate_json(text)
    except ValidationError as error:
        issues = (
            f"{'.'.join(str(part) for part in issue['loc'])}: {issue['msg'].removeprefix('Value error, ')}"
            for issue in error.errors()
        )
        raise Invalid(f"--file: {'; '.join(issues)}") from None
    policy_id = TypeAdapter(SlaPolicyId).validate_python(arguments.id)
    service = SlaPolicyService(stores.sla_policies)
    try:
        policy, created = service.put(_operator(arguments.tenant, stores), policy_id, request)
    except DomainError as error:
        raise Refused(error.message) from None
    return {"policy": json_dump(policy), "created": created}


def list_sla_policies(arguments: argparse.Namespace, stores: Stores) -> dict[str, Any]:
    service = SlaPolicyService(stores.sla_policies)
    return {"policies": [json_dump(policy) for policy in service.list(_operator(arguments.tenant, stores))]}


def sla_due(arguments: argparse.Namespace, stores: Stores) -> dict[str, Any]:
    """Each target of the priority as a due time: its minutes of the policy's time from `--opened`."""
    try:
        opened = TypeAdapter(QueryTimestamp).validate_python(arguments.opened)
    except ValidationError as error:
        raise Invalid(f"--opened: {error.errors()[0]['msg'].removeprefix('Value error, ')}") from None
    try:
        policy = SlaPolicyService(stores.sla_policies).get(_operator(arguments.tenant, stores), arguments.id)
    except DomainError as error:
        raise Refused(error.message) from None
    clock = BusinessClock(policy.business_hours)
    targets = policy.targets.get(arguments.priority)
    minutes = targets.model_dump(by_alias=True) if targets else {}
    return {
        "policy": policy.id,
        "priority": arguments.priority,
        "opened": format_timestamp(opened),
        "due": {
            metric.removesuffix("Minutes"): format_timestamp(clock.due(opened, value * 60)) if value else None
            for metric, value in minutes.items()
        },
    }


def delete_sla_policy(arguments: argparse.Namespace, stores: Stores) -> dict[str, Any]:
    try:
        SlaPolicyService(stores.sla_policies).delete(_operator(arguments.tenant, stores), arguments.id)
    except DomainError as error:
        raise Refused(error.message) from None
    return {"deleted": arguments.id}


def upgrade_lists(arguments: argparse.Namespace, stores: Stores) -> dict[str, Any]:
    tenant = _existing_tenant(arguments.tenant, stores)
    checked = indexed = 0
    start: dict[str, Any] | None = None
    while True:
        ticket_ids, start = stores.upgrades.ticket_ids(tenant.id, start)
        checked += len(ticket_ids)
        indexed += stores.upgrades.index_update_order(tenant.id, ticket_ids)
        if start is None:
            break
    return {
        "tenant": tenant.id,
        "ticketsChecked": checked,
        "ticketsAddedToUpdateOrder": indexed,
        "retiredListEntriesDeleted": stores.upgrades.delete_retired_lists(tenant.id),
    }


COMMANDS: dict[str, Callable[[argparse.Namespace, Stores], dict[str, Any]]] = {
    "create-tenant": create_tenant,
    "ensure-usage-key": ensure_usage_key,
    "set-plan": set_plan,
    "set-channel-sellers": set_channel_sellers,
    "set-admin-emails": set_admin_emails,
    "create-key": create_key,
    "list-keys": list_keys,
    "revoke-key": revoke_key,
    "put-customer": put_customer,
    "put-agent": put_agent,
    "put-sla-policy": put_sla_policy,
    "list-sla-policies": list_sla_policies,
    "sla-due": sla_due,
    "delete-sla-policy": delete_sla_policy,
    "upgrade-lists": upgrade_lists,
}


def _run_on(arguments: argparse.Namespace, table: str, plan_id: str | None, local: bool) -> dict[str, Any]:
    client = clients.dynamodb()
    stores = Stores(
        TenantStore(client, table),
        CustomerStore(client, table),
        AgentStore(client, table),
        AccessRepository(client, table),
        UpgradeStore(client, table),
        SlaPolicyStore(client, table),
        plan_id,
        local,
    )
    return COMMANDS[arguments.command](arguments, stores)


def run(arguments: argparse.Namespace) -> dict[str, Any]:
    if arguments.local:
        stack = local_stack(arguments.stack_file)
        # The clients get the endpoint, region and credentials as arguments (clients.endpoint) rather
        # than through AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID... set in os.environ: arguments outrank
        # whatever the user has exported (a per-service endpoint variable, a profile, a session token
        # that would be sent along), the process environment stays as it was, and the settings module
        # stays the only one that touches the environment.
        with clients.endpoint(
            stack.endpoint,
            region=LOCAL_REGION,
            access_key_id=LOCAL_CREDENTIALS,
            secret_access_key=LOCAL_CREDENTIALS,
        ):
            return _run_on(arguments, stack.table_name, plan_id=None, local=True)
    outputs = stack_outputs(arguments.stack) if arguments.stack else {}
    table = arguments.table or outputs["TableName"]
    return _run_on(arguments, table, arguments.usage_plan_id or outputs.get("UsagePlanId"), local=False)


def _invalid_line(error: ValidationError) -> str:
    """A model's validation errors as one line, each named by the option that carried the value."""
    issues = []
    for issue in error.errors():
        message = issue["msg"].removeprefix("Value error, ")
        if issue["loc"] and isinstance(issue["loc"][0], str):  # a field's (an item of a list: its own)
            field = issue["loc"][0]
            message = f"--{_OPTION_OF_FIELD.get(field, field).replace('_', '-')}: {message}"
        issues.append(message)
    return "; ".join(issues)


def _aws_line(error: Exception, arguments: argparse.Namespace) -> str:
    """What went wrong on the way to AWS, and what to do: one line."""
    # The stores turn connection errors and throttling (after botocore's retries) into StoreUnavailable.
    cause = error.__cause__ if isinstance(error, StoreUnavailable) and error.__cause__ else error
    if isinstance(cause, AwsConnectionError | HTTPClientError):
        return _unreachable_line(cause, arguments)
    if isinstance(cause, ClientError):
        return _client_error_line(cause, arguments)
    if isinstance(cause, NoCredentialsError):
        return f"no AWS credentials found: configure them (aws configure, AWS_PROFILE), or {LOCAL_HINT}"
    if isinstance(cause, NoRegionError):
        return f"no AWS region: set AWS_REGION (or a profile's region), or {LOCAL_HINT}"
    if isinstance(cause, StoreUnavailable):  # the store's own retries ran out
        return "AWS is busy: retry shortly"
    return str(cause)


def _unreachable_line(error: BotoCoreError, arguments: argparse.Namespace) -> str:
    endpoint = error.kwargs.get("endpoint_url") or "the AWS endpoint"
    if arguments.local:
        if arguments.stack_file is not None:
            return f"nothing answers at {endpoint} (the stack of {arguments.stack_file}): is it running?"
        return f"nothing answers at {endpoint} (the local stack): start it with `make run`, keep it running"
    return (
        f"cannot reach {endpoint} ({type(error).__name__}): check the network, the region and "
        f"AWS_ENDPOINT_URL; {LOCAL_HINT}"
    )


def _client_error_line(error: ClientError, arguments: argparse.Namespace) -> str:
    code, message = error.response["Error"].get("Code"), error.response["Error"].get("Message")
    line = f"{code}: {message}"
    if code == "ResourceNotFoundException":  # DynamoDB's word for a table that is not there
        line += (
            " (the local stack's table is gone: start it again with `make run`)"
            if arguments.local
            else " (no such table here: check --table or --stack, and the region)"
        )
    return line


def _fail(line: str, code: int) -> int:
    print(f"error: {line}", file=sys.stderr)
    return code


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    given = list(sys.argv[1:] if argv is None else argv)
    if not given:  # `make admin` without ARGS
        parser.print_help()
        return 0
    arguments = parser.parse_args(given)
    _check_combinations(parser, arguments)
    try:
        result = run(arguments)
    except Invalid as error:
        return _fail(str(error), EXIT_INVALID)
    except ValidationError as error:
        return _fail(_invalid_line(error), EXIT_INVALID)
    except Refused as error:
        return _fail(str(error), EXIT_REFUSED)
    except (BotoCoreError, ClientError, StoreUnavailable) as error:
        return _fail(_aws_line(error, arguments), EXIT_REFUSED)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
