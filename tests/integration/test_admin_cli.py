"""The admin CLI as an operator meets it: what it refuses (and then writes nothing), the one line it
prints when something is wrong, and --local, which reads the local stack's file."""

from __future__ import annotations

import copy
import json
import os
import socket
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from tests.integration.conftest import Cli
from tests.support.factories import Seeder
from tests.support.handlers import Api
from tests.support.moto_endpoint import moto_endpoint
from tests.support.moto_table import table_items
from tickets import admin, clients, keys
from tickets.ids import format_timestamp, utc_now
from tickets.settings import get_aws_settings
from tickets.store.agents import AgentStore
from tickets.store.customers import CustomerStore
from tickets.store.table import typed_key
from tickets.store.tenants import TenantStore
from tickets.store.upgrades import UpgradeStore

LOCAL_HINT = "for the local stack use --local, with `make run` running"


@pytest.fixture
def one_attempt(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """AWS_MAX_ATTEMPTS=1: an endpoint that does not answer fails at once, without botocore's backoff."""
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    get_aws_settings.cache_clear()
    clients.reset()
    yield
    get_aws_settings.cache_clear()
    clients.reset()


def closed_port_url() -> str:
    """An address where nothing listens: a port the system just handed out and took back."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def write_stack_file(path: Path, endpoint: str, table: str) -> Path:
    """A stack file as `make run` writes it (tests/support/local_stack.py)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    stack = {"endpoint": endpoint, "tableName": table, "stackName": "tickets-local", "tenantId": "acme"}
    path.write_text(json.dumps(stack, indent=2) + "\n")
    return path


def deploy_stack(name: str, table: str) -> None:
    """A CloudFormation stack whose TableName output names `table` (and no usage plan)."""
    template = {
        "Resources": {"Queue": {"Type": "AWS::SQS::Queue"}},
        "Outputs": {"TableName": {"Value": table}},
    }
    boto3.client("cloudformation").create_stack(StackName=name, TemplateBody=json.dumps(template))


# Data checks ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("arguments", "named"),
    [
        pytest.param(
            ["put-customer", "--tenant", "initech", "--external-id", "user_1", "--email", "a@initech.com"],
            'no tenant "initech"',
            id="put-customer",
        ),
        pytest.param(
            ["put-agent", "--tenant", "initech", "--id", "agent_i1", "--name", "Agent I1"],
            'no tenant "initech"',
            id="put-agent",
        ),
        pytest.param(
            ["create-key", "--tenant", "initech", "--role", "admin", "--name", "ops"],
            'no tenant "initech"',
            id="create-key",
        ),
        pytest.param(
            ["create-key", "--tenant", "acme", "--role", "agent", "--agent-id", "ghost", "--name", "desk"],
            'tenant "acme" has no agent "ghost"',
            id="agent-key-for-an-unknown-agent",
        ),
        pytest.param(["upgrade-lists", "--tenant", "initech"], 'no tenant "initech"', id="upgrade-lists"),
    ],
)
def test_a_write_for_a_tenant_or_agent_that_does_not_exist_is_refused_in_one_line_and_writes_nothing(
    table: str, seed: Seeder, cli: Cli, arguments: list[str], named: str
) -> None:
    # Given tenant acme with agent agent_n1, and no tenant initech
    before = table_items()
    # When the CLI is asked to write for a tenant or an agent that is not there
    outcome = cli("--table", table, *arguments)
    # Then it refuses (exit 1) in one line that names what is missing, and the table is as it was
    assert outcome.code == 1
    assert outcome.error_line.startswith("error: ")
    assert named in outcome.error_line
    assert table_items() == before


def test_customers_agents_and_agent_keys_of_an_existing_tenant_are_written(
    table: str, seed: Seeder, customers: CustomerStore, agents: AgentStore, cli: Cli
) -> None:
    # Given tenant acme
    # When a customer, an agent and a key for that agent are made
    customer = cli(
        "--table", table, "put-customer", "--tenant", "acme", "--external-id", "user_7",
        "--email", "jane@acme.com", "--name", "Jane Roe",
    )  # fmt: skip
    agent = cli("--table", table, "put-agent", "--tenant", "acme", "--id", "agent_n2", "--name", "Agent N2")
    key = cli(
        "--table", table, "create-key", "--tenant", "acme", "--role", "agent", "--agent-id", "agent_n2",
        "--name", "N2 desk",
    )  # fmt: skip
    # Then all three are in the table
    assert customer.output["customer"]["externalId"] == "user_7"
    stored_customer = customers.get_customer("acme", "user_7")
    assert stored_customer is not None
    assert stored_customer.email == "jane@acme.com"
    assert agent.output["agent"]["id"] == "agent_n2"
    assert agents.get_agent("acme", "agent_n2") is not None
    assert key.output["apiKey"]["agentId"] == "agent_n2"
    listed = cli("--table", table, "list-keys", "--tenant", "acme").output["apiKeys"]
    assert [listed_key["id"] for listed_key in listed] == [key.output["apiKey"]["id"]]


def test_revoking_a_key_again_keeps_its_first_revoked_at_and_writes_nothing(
    table: str, seed: Seeder, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a key revoked a minute from now
    key_id = cli(
        "--table", table, "create-key", "--tenant", "acme", "--role", "admin", "--name", "ops"
    ).output["apiKey"]["id"]
    first_time, later = utc_now() + timedelta(minutes=1), utc_now() + timedelta(hours=1)
    monkeypatch.setattr(admin, "utc_now", lambda: first_time)
    first = cli("--table", table, "revoke-key", "--tenant", "acme", "--key-id", key_id).output
    before = table_items()
    # When it is revoked again an hour later
    monkeypatch.setattr(admin, "utc_now", lambda: later)
    again = cli("--table", table, "revoke-key", "--tenant", "acme", "--key-id", key_id).output
    # Then the second revoke reports the key as it is, revoked at the first time, and writes nothing
    assert first["alreadyRevoked"] is False
    assert first["apiKey"]["revokedAt"] == format_timestamp(first_time)
    assert again == {"apiKey": first["apiKey"], "alreadyRevoked": True}
    assert table_items() == before
    listed = cli("--table", table, "list-keys", "--tenant", "acme").output["apiKeys"]
    assert [key["revokedAt"] for key in listed] == [format_timestamp(first_time)]


def test_of_two_revokes_that_race_the_one_that_writes_first_wins(
    table: str, seed: Seeder, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a key, and a second revoke that read it before the first revoke wrote
    key_id = cli(
        "--table", table, "create-key", "--tenant", "acme", "--role", "admin", "--name", "ops"
    ).output["apiKey"]["id"]
    client = clients.dynamodb()
    key_item = typed_key(keys.api_key_key("acme", key_id))
    read_before_the_first_revoke = client.get_item(TableName=table, Key=key_item, ConsistentRead=True)
    first_time = utc_now() + timedelta(minutes=1)
    monkeypatch.setattr(admin, "utc_now", lambda: first_time)
    first = cli("--table", table, "revoke-key", "--tenant", "acme", "--key-id", key_id).output
    before = table_items()
    original = client._make_api_call

    def stale_read(operation: str, parameters: dict[str, Any]) -> Any:
        if operation == "GetItem" and parameters["Key"] == key_item:
            return copy.deepcopy(read_before_the_first_revoke)
        return original(operation, parameters)

    monkeypatch.setattr(client, "_make_api_call", stale_read)
    # When the second revoke goes on to write, an hour later
    monkeypatch.setattr(admin, "utc_now", lambda: utc_now() + timedelta(hours=1))
    second = cli("--table", table, "revoke-key", "--tenant", "acme", "--key-id", key_id).output
    # Then the store's condition refuses its write: the key keeps the first revokedAt
    assert second == {"apiKey": first["apiKey"], "alreadyRevoked": True}
    assert table_items() == before


def test_an_external_id_with_a_slash_is_refused_as_no_url_could_reach_that_customer(
    table: str, seed: Seeder, cli: Cli
) -> None:
    # Given tenant acme
    before = table_items()
    # When a customer is put with a "/" in its externalId
    outcome = cli("--table", table, "put-customer", "--tenant", "acme", "--external-id", "crm/42")
    # Then it is a wrong argument (exit 2), said in one line, and nothing is written
    assert outcome.code == 2
    assert outcome.error_line == "error: --external-id: must not contain '/'"
    assert table_items() == before


@pytest.mark.parametrize(
    ("arguments", "line_start"),
    [
        pytest.param(
            ["put-agent", "--tenant", "acme", "--id", "agent n3", "--name", "Agent N3"],
            "error: --id: String should match pattern",
            id="agent-id",
        ),
        pytest.param(
            ["create-tenant", "--id", "initech", "--name", "Initech", "--prefix", "ini"],
            "error: --prefix: String should match pattern",
            id="tenant-prefix",
        ),
        pytest.param(
            ["put-customer", "--tenant", "acme", "--external-id", "x" * 300],
            "error: --external-id: String should have at most 256 characters",
            id="customer-external-id",
        ),
        pytest.param(
            ["create-key", "--tenant", "acme", "--role", "admin", "--name", "line\nbreak"],
            "error: --name: must not contain control characters or line breaks",
            id="key-name",
        ),
    ],
)
def test_a_value_a_model_rejects_is_one_line_naming_the_option_and_nothing_is_written(
    table: str, seed: Seeder, cli: Cli, arguments: list[str], line_start: str
) -> None:
    # Given tenant acme
    before = table_items()
    # When a value breaks the rules of its model
    outcome = cli("--table", table, *arguments)
    # Then it is a wrong argument (exit 2), named by its option in one line, and nothing is written
    assert outcome.code == 2
    assert outcome.error_line.startswith(line_start)
    assert table_items() == before


# Errors a new user meets ---------------------------------------------------------------------------


def test_a_stack_that_is_not_there_is_one_line_naming_it_and_its_region(table: str, cli: Cli) -> None:
    # Given no stacks deployed
    # When the CLI is pointed at a stack
    outcome = cli("--stack", "tickets-api-dev", "list-keys", "--tenant", "acme")
    # Then it says, in one line, which stack is missing where, and what to check
    assert outcome.code == 1
    assert outcome.error_line == (
        'error: no stack "tickets-api-dev" in us-east-1 (no stacks deployed there): check --stack and the '
        f"region (AWS_REGION), or {LOCAL_HINT}"
    )


def test_a_mistyped_stack_name_lists_the_stacks_that_are_there(table: str, cli: Cli) -> None:
    # Given stack tickets-api-dev
    deploy_stack("tickets-api-dev", table)
    # When the CLI is pointed at tickets-api-prod
    outcome = cli("--stack", "tickets-api-prod", "list-keys", "--tenant", "acme")
    # Then the line names the stacks there are
    assert outcome.code == 1
    assert outcome.error_line.startswith(
        'error: no stack "tickets-api-prod" in us-east-1 (deployed stacks: tickets-api-dev): '
    )


def test_a_deployed_stack_is_found_by_its_table_name_output(table: str, seed: Seeder, cli: Cli) -> None:
    # Given stack tickets-api-dev, whose TableName output is the table
    deploy_stack("tickets-api-dev", table)
    # When a key is made through the stack
    key = cli(
        "--stack", "tickets-api-dev", "create-key", "--tenant", "acme", "--role", "admin", "--name", "ops"
    )
    # Then it is in the table
    listed = cli("--table", table, "list-keys", "--tenant", "acme").output["apiKeys"]
    assert [listed_key["id"] for listed_key in listed] == [key.output["apiKey"]["id"]]


def test_an_aws_error_is_one_line_with_its_code_and_message(table: str, cli: Cli) -> None:
    # Given no table named no-such-table
    # When the CLI is pointed at it
    outcome = cli("--table", "no-such-table", "list-keys", "--tenant", "acme")
    # Then AWS's error code and message are one line
    assert outcome.code == 1
    assert outcome.error_line.startswith("error: ResourceNotFoundException: Requested resource not found")


def test_throttling_past_the_retries_is_one_line_with_dynamodbs_code(
    table: str, seed: Seeder, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given DynamoDB throttling every request beyond botocore's retries
    def throttled(operation: str, _: dict[str, Any]) -> Any:
        raise ClientError({"Error": {"Code": "ThrottlingException", "Message": "Rate exceeded"}}, operation)

    monkeypatch.setattr(clients.dynamodb(), "_make_api_call", throttled)
    # When a tenant's plan is set
    outcome = cli("--table", table, "set-plan", "--tenant", "acme", "--monthly-ticket-quota", "5")
    # Then the store's StoreUnavailable is one line naming DynamoDB's error, no traceback
    assert outcome.code == 1
    assert outcome.error_line == "error: ThrottlingException: Rate exceeded"


def test_transactions_that_conflict_past_the_stores_retries_are_one_line_to_retry_shortly(
    table: str, seed: Seeder, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given every transaction cancelled by a conflicting one, each time the store asks again
    client = clients.dynamodb()
    original = client._make_api_call

    def conflicting(operation: str, parameters: dict[str, Any]) -> Any:
        if operation != "TransactWriteItems":
            return original(operation, parameters)
        cancelled = {
            "Error": {"Code": "TransactionCanceledException", "Message": "Transaction cancelled"},
            "CancellationReasons": [{"Code": "TransactionConflict"}],
        }
        raise client.exceptions.TransactionCanceledException(cancelled, operation)

    monkeypatch.setattr(client, "_make_api_call", conflicting)
    monkeypatch.setattr("time.sleep", lambda _: None)
    before = table_items()
    # When a key is created (its two items in one transaction)
    outcome = cli("--table", table, "create-key", "--tenant", "acme", "--role", "admin", "--name", "ops")
    # Then it is one line saying to retry, and nothing is written
    assert outcome.code == 1
    assert outcome.error_line == "error: AWS is busy: retry shortly"
    assert table_items() == before


def test_no_credentials_is_one_line_that_points_at_local(
    table: str, cli: Cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Given no credentials anywhere botocore looks
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    clients.reset()
    # When the CLI reads the table
    outcome = cli("--table", table, "list-keys", "--tenant", "acme")
    # Then one line says so, and how to reach the local stack instead
    assert outcome.code == 1
    assert outcome.error_line.startswith("error: no AWS credentials found: ")
    assert outcome.error_line.endswith(LOCAL_HINT)


@pytest.mark.usefixtures("one_attempt")
def test_an_endpoint_where_nothing_answers_is_one_line_naming_it(
    table: str, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given AWS_ENDPOINT_URL pointing where nothing listens
    endpoint = closed_port_url()
    monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint)
    clients.reset()
    # When the CLI reads the table
    outcome = cli("--table", table, "list-keys", "--tenant", "acme")
    # Then one line names the endpoint it tried, and how to reach the local stack
    assert outcome.code == 1
    assert outcome.error_line.startswith(f"error: cannot reach {endpoint}/ (EndpointConnectionError): ")
    assert outcome.error_line.endswith(LOCAL_HINT)
    clients.reset()


# --local -------------------------------------------------------------------------------------------


def test_no_arguments_print_the_help(cli: Cli) -> None:
    # When the CLI is run without arguments (`make admin` without ARGS)
    outcome = cli()
    # Then it prints its help, with the examples
    assert outcome.code == 0
    assert outcome.out.startswith("usage: python -m tickets.admin")
    assert 'make admin ARGS="--local create-key' in outcome.out
    assert not outcome.err


def test_local_without_a_stack_file_says_to_start_the_stack_with_make_run(
    table: str, cli: Cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Given a repository where `make run` has not written .local/stack.json
    monkeypatch.chdir(tmp_path)
    # When the CLI is run with --local
    outcome = cli("--local", "list-keys", "--tenant", "acme")
    # Then one line says to start it
    assert outcome.code == 1
    assert outcome.error_line == "error: no local stack: start it with `make run`"


@pytest.mark.usefixtures("one_attempt")
def test_local_with_nothing_at_its_endpoint_is_one_quick_line_naming_the_endpoint(
    table: str, cli: Cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Given a stack file left by a `make run` that has stopped
    endpoint = closed_port_url()
    write_stack_file(tmp_path / ".local" / "stack.json", endpoint, table)
    monkeypatch.chdir(tmp_path)
    # When the CLI is run with --local
    started = time.monotonic()
    outcome = cli("--local", "list-keys", "--tenant", "acme")
    # Then one line, soon, names the endpoint and says to start the stack
    assert time.monotonic() - started < 5
    assert outcome.code == 1
    assert outcome.error_line == (
        f"error: nothing answers at {endpoint}/ (the local stack): start it with `make run`, keep it running"
    )


def test_local_works_on_the_stack_files_table_through_its_endpoint_as_the_local_stack_takes_it(
    table: str,
    tenants: TenantStore,
    cli: Cli,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    # Given a running local stack (its endpoint answered by moto) and the stack file `make run` wrote
    monkeypatch.chdir(tmp_path)
    with moto_endpoint() as endpoint:
        write_stack_file(tmp_path / ".local" / "stack.json", endpoint.url, table)
        other_file = write_stack_file(tmp_path / ".local" / "e2e" / "stack.json", endpoint.url, table)
        # When a tenant, its agent and an agent key are made with --local, and its keys listed
        tenant = cli("--local", "create-tenant", "--id", "globex", "--name", "Globex", "--prefix", "GLX")
        agent = cli("--local", "put-agent", "--tenant", "globex", "--id", "agent_g1", "--name", "G1")
        key = cli(
            "--local", "--stack-file", str(other_file), "create-key", "--tenant", "globex", "--role", "agent",
            "--agent-id", "agent_g1", "--name", "G1 desk",
        )  # fmt: skip
        listed = cli("--local", "list-keys", "--tenant", "globex")
        usage_key = cli("--local", "ensure-usage-key", "--tenant", "globex")
    # Then they are in the stack file's table; the tenant has no usage key, and no warning says it needs one
    assert tenant.output["created"] is True
    assert "warning" not in tenant.output
    stored_tenant = tenants.get_tenant("globex")
    assert stored_tenant is not None
    assert stored_tenant.usage_key_id is None
    assert agent.output["agent"]["id"] == "agent_g1"
    assert [listed_key["id"] for listed_key in listed.output["apiKeys"]] == [key.output["apiKey"]["id"]]
    assert usage_key.code == 1
    assert usage_key.error_line == "error: the local stack has no usage plan: its tenants need no usage key"
    # ...reached at the file's endpoint, with credentials test and region us-east-1, and only DynamoDB
    assert endpoint.calls
    assert {(call.access_key, call.region, call.service) for call in endpoint.calls} == {
        ("test", "us-east-1", "dynamodb")
    }
    # ...and nothing of it stays in the process: no variable exported, later clients go where they went
    assert "AWS_ENDPOINT_URL" not in os.environ
    assert cli("--table", table, "list-keys", "--tenant", "globex").output == listed.output


def test_putting_a_customer_again_replaces_its_details_and_keeps_its_id_as_the_api_does(
    table: str, seed: Seeder, cli: Cli
) -> None:
    # Given customer crm_42 put once
    first = cli(
        "--table", table, "put-customer", "--tenant", "acme", "--external-id", "crm_42", "--name", "Ann"
    )
    assert first.code == 0, first.err
    # When it is put again with another name
    again = cli(
        "--table", table, "put-customer", "--tenant", "acme", "--external-id", "crm_42", "--name", "Anna"
    )
    # Then it is the same customer (id and createdAt kept), with the new name, and not created again
    assert again.code == 0, again.err
    assert (first.output["created"], again.output["created"]) == (True, False)
    assert again.output["customer"]["id"] == first.output["customer"]["id"]
    assert again.output["customer"]["createdAt"] == first.output["customer"]["createdAt"]
    assert again.output["customer"]["name"] == "Anna"


def test_the_channel_sellers_of_a_tenant_are_set_replaced_and_cleared(
    table: str, seed: Seeder, tenants: TenantStore, cli: Cli
) -> None:
    # Given tenant acme, which answers for no channel seller yet
    # When its seller ids are set, then replaced, then cleared
    first = cli("--table", table, "set-channel-sellers", "--tenant", "acme", "--seller-id", "4711")
    replaced = cli(
        "--table", table, "set-channel-sellers", "--tenant", "acme", "--seller-id", "4711",
        "--seller-id", "seller_2",
    )  # fmt: skip
    after_replace = tenants.get_tenant("acme")
    cleared = cli("--table", table, "set-channel-sellers", "--tenant", "acme", "--no-sellers")
    # Then each answer and the stored tenant hold exactly the ids of the last call
    assert first.output["tenant"]["channelSellerIds"] == ["4711"]
    assert replaced.output["tenant"]["channelSellerIds"] == ["4711", "seller_2"]
    assert after_replace is not None and after_replace.channel_seller_ids == ["4711", "seller_2"]
    assert cleared.output["tenant"]["channelSellerIds"] == []
    stored = tenants.get_tenant("acme")
    assert stored is not None and stored.channel_seller_ids == []
    assert stored.ticket_prefix == "INV"  # the rest of the tenant is as it was


@pytest.mark.parametrize(
    ("arguments", "refusal"),
    [
        pytest.param(
            ["--tenant", "acme", "--seller-id", "47 11"],
            (2, "error: --seller-id: '47 11' is not 1 to 50 of A-Z a-z 0-9 _"),
            id="not-a-seller-id",
        ),
        pytest.param(
            ["--tenant", "acme", "--seller-id", "s" * 51],
            (2, f"error: --seller-id: '{'s' * 51}' is not 1 to 50 of A-Z a-z 0-9 _"),
            id="over-50",
        ),
        pytest.param(
            ["--tenant", "acme", "--seller-id", "4711", "--seller-id", "4711"],
            (2, "error: --seller-id: must not repeat a value"),
            id="twice",
        ),
        pytest.param(
            ["--tenant", "acme", *[part for n in range(101) for part in ("--seller-id", str(n))]],
            (2, "error: --seller-id: at most 100 seller ids"),
            id="over-100",
        ),
        pytest.param(
            ["--tenant", "initech", "--seller-id", "4711"],
            (1, 'error: no tenant "initech": create it first with create-tenant'),
            id="unknown-tenant",
        ),
    ],
)
def test_channel_sellers_the_rules_refuse_are_one_line_and_write_nothing(
    table: str, seed: Seeder, cli: Cli, arguments: list[str], refusal: tuple[int, str]
) -> None:
    # Given tenant acme and no tenant initech
    before = table_items()
    # When seller ids are set that break the rules, or for a tenant that is not there
    outcome = cli("--table", table, "set-channel-sellers", *arguments)
    # Then it is refused in one line saying why, and nothing is written
    assert (outcome.code, outcome.error_line) == refusal
    assert table_items() == before


# Admin emails --------------------------------------------------------------------------------------


def test_a_tenants_admin_emails_are_set_at_creation_replaced_and_cleared(
    table: str, tenants: TenantStore, cli: Cli
) -> None:
    # When a tenant is created with two admin addresses, then given one, then none
    created = cli(
        "--table", table, "create-tenant", "--id", "acme", "--name", "Acme", "--prefix", "INV",
        "--admin-email", "ops@acme.com", "--admin-email", "cto@acme.com",
    )  # fmt: skip
    replaced = cli("--table", table, "set-admin-emails", "--tenant", "acme", "--email", "desk@acme.com")
    after_replace = tenants.get_tenant("acme")
    cleared = cli("--table", table, "set-admin-emails", "--tenant", "acme", "--no-emails")
    # Then each answer and the stored tenant hold exactly the addresses of the last call
    assert created.code == 0, created.err
    assert created.output["tenant"]["adminEmails"] == ["ops@acme.com", "cto@acme.com"]
    assert replaced.output["tenant"]["adminEmails"] == ["desk@acme.com"]
    assert after_replace is not None and after_replace.admin_emails == ["desk@acme.com"]
    assert cleared.output["tenant"]["adminEmails"] == []
    stored = tenants.get_tenant("acme")
    assert stored is not None and stored.admin_emails == [] and stored.ticket_prefix == "INV"


@pytest.mark.parametrize(
    ("arguments", "refusal"),
    [
        pytest.param(
            ["set-admin-emails", "--tenant", "acme", "--email", "not an address"],
            (2, "error: --email: 'not an address' is not an email address"),
            id="not-an-address",
        ),
        pytest.param(
            ["set-admin-emails", "--tenant", "acme", "--email", "a@acme.com", "--email", "a@acme.com"],
            (2, "error: --email: must not repeat a value"),
            id="twice",
        ),
        pytest.param(
            [
                "set-admin-emails",
                "--tenant",
                "acme",
                *[p for n in range(11) for p in ("--email", f"{n}@a.com")],
            ],
            (2, "error: --email: at most 10 addresses"),
            id="over-10",
        ),
        pytest.param(
            ["set-admin-emails", "--tenant", "initech", "--email", "a@acme.com"],
            (1, 'error: no tenant "initech": create it first with create-tenant'),
            id="unknown-tenant",
        ),
    ],
)
def test_admin_emails_the_rules_refuse_are_one_line_and_write_nothing(
    table: str, seed: Seeder, cli: Cli, arguments: list[str], refusal: tuple[int, str]
) -> None:
    # Given tenant acme and no tenant initech
    before = table_items()
    # When
    outcome = cli("--table", table, *arguments)
    # Then
    assert (outcome.code, outcome.error_line) == refusal
    assert table_items() == before


# Upgrading lists -----------------------------------------------------------------------------------

TICKET = {"customerExternalId": "user_42", "subject": "Payment failed for order #12345", "priority": "HIGH"}


def written_before_2026_12(table: str, ticket_id: str) -> None:
    """The ticket item as versions before 2026-12 wrote it: without the GSI1 keys of the update order."""
    clients.dynamodb().update_item(
        TableName=table,
        Key=typed_key(keys.ticket_key("acme", ticket_id)),
        UpdateExpression="REMOVE GSI1PK, GSI1SK",
    )


def retired_entry(table: str, list_name: str, ticket_id: str) -> None:
    """An entry of a list kept until 2026-12 (the queue's own, or awaiting the customer)."""
    key = typed_key({"PK": f"TENANT#acme#LIST#{list_name}", "SK": ticket_id, "entity": "LIST_ENTRY"})
    clients.dynamodb().put_item(TableName=table, Item=key | {"version": {"N": "1"}})


def updated_order(api: Api) -> list[str]:
    response = api.list(sort="-updatedAt")
    assert response.status == 200, response.json
    return [ticket["id"] for ticket in response.data]


def test_upgrade_lists_puts_older_tickets_in_the_update_order_and_deletes_retired_lists_once(
    table: str, api: Api, cli: Cli
) -> None:
    # Given three tickets, two of them as a version before 2026-12 left them (not in the update order),
    # and entries of the retired lists
    created = [api.create(TICKET | {"subject": f"Ticket {n}"}).data["id"] for n in range(3)]
    for ticket_id in created[:2]:
        written_before_2026_12(table, ticket_id)
    retired_entry(table, "UNASSIGNED#QUEUE", created[0])
    retired_entry(table, "AWAITING#CUSTOMER", created[1])
    assert updated_order(api) == [created[2]]
    tickets_before = {ticket_id: api.get(ticket_id).data for ticket_id in created}

    # When the tenant's lists are upgraded
    outcome = cli("--table", table, "upgrade-lists", "--tenant", "acme")

    # Then it says what it did, every ticket is in the update order (newest change first), and each
    # ticket reads as before, at the same version
    assert outcome.output == {
        "tenant": "acme",
        "ticketsChecked": 3,
        "ticketsAddedToUpdateOrder": 2,
        "retiredListEntriesDeleted": 2,
    }
    assert updated_order(api) == list(reversed(created))
    assert {ticket_id: api.get(ticket_id).data for ticket_id in created} == tickets_before
    # And the retired lists are gone
    retired = ("TENANT#acme#LIST#UNASSIGNED#QUEUE", "TENANT#acme#LIST#AWAITING#CUSTOMER")
    assert [item for item in table_items() if item["PK"]["S"] in retired] == []
    # And a second run finds nothing left to do, and writes nothing
    before = table_items()
    again = cli("--table", table, "upgrade-lists", "--tenant", "acme")
    assert again.output["ticketsAddedToUpdateOrder"] == again.output["retiredListEntriesDeleted"] == 0
    assert table_items() == before


def test_upgrade_lists_leaves_a_ticket_the_api_writes_meanwhile_as_the_api_wrote_it(
    table: str, api: Api, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given an older ticket, which the API changes after the upgrade read it and before it writes
    ticket_id = api.create(TICKET).data["id"]
    written_before_2026_12(table, ticket_id)
    read = UpgradeStore._batch_get

    def read_then_changed(self: UpgradeStore, *arguments: Any, **options: Any) -> Any:
        found = read(self, *arguments, **options)
        assert api.update(ticket_id, {"priority": "URGENT"}).status == 200
        return found

    monkeypatch.setattr(UpgradeStore, "_batch_get", read_then_changed)
    # When the tenant's lists are upgraded
    outcome = cli("--table", table, "upgrade-lists", "--tenant", "acme")
    # Then the upgrade leaves it alone: the API's write put it in the update order at its own change,
    # not at the updatedAt the upgrade had read
    assert outcome.output["ticketsAddedToUpdateOrder"] == 0
    assert api.get(ticket_id).data["priority"] == "URGENT"
    (item,) = [
        item
        for item in table_items()
        if item["PK"]["S"] == f"TENANT#acme#TICKET#{ticket_id}" and item["SK"]["S"] == "#TICKET"
    ]
    assert item["GSI1SK"]["S"] == f"{item['updatedAt']['S']}#{ticket_id}"
