"""The whole stack on this machine: MiniStack (local AWS) + the real template, built and deployed
with `sam build` / `sam deploy`, seeded with a demo tenant. Behind `make run`, `make emails`,
`make logs`, `make invoke` and the end-to-end step of `make test`.

    python -m tests.support.local_stack run       start, deploy, seed, print; Ctrl-C stops everything
    python -m tests.support.local_stack up        the same, left running in the background
    python -m tests.support.local_stack down      stop what `up` started
    python -m tests.support.local_stack emails    the emails the stack has sent, newest first
    python -m tests.support.local_stack logs      the Lambda functions' logs
    python -m tests.support.local_stack invoke    one deployed function with an event file (sam local
                                                  invoke without Docker): its response and log lines

`--profile e2e` runs a second, throw-away stack (its own port, state and stack file) for the tests.
Where MiniStack differs from AWS (see MINISTACK.md beside the repository), this file works around it;
template.yaml stays right for AWS.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import hashlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from tests.support.aws import ROOT, template
from tickets.ids import new_ulid, utc_now
from tickets.logic import api_keys
from tickets.models.domain import Agent, ApiKey, Customer, Tenant
from tickets.models.enums import AgentLevel, Role
from tickets.store.access import AccessRepository
from tickets.store.agents import AgentStore
from tickets.store.customers import CustomerStore
from tickets.store.tenants import TenantStore

STACK_NAME = "tickets-local"
LOCAL_STAGE = "local"  # samconfig.toml [local] deploys with Stage=local
SAM = ROOT / ".venv-sam" / "bin" / "sam"
MINISTACK = ROOT / ".venv-ministack" / "bin" / "ministack"
MINISTACK_PYTHON = ROOT / ".venv-ministack" / "bin" / "python"
# What a deployment is made of: a change to any of these is built and deployed again.
SOURCES = ("template.yaml", "samconfig.toml", "functions", "layers/shared")

EXAMPLE_TICKET = json.dumps(
    {
        "customerExternalId": "user_42",
        "subject": "Payment failed for order #12345",
        "priority": "HIGH",
        "metadata": {"orderId": "12345", "amount": 99.9},
    }
)
# samconfig.toml [local] deploys with DefaultSenderEmail=support@tickets.local; SES needs it verified.
LOCAL_SENDER = "support@tickets.local"
# acme answers for seller 4711, the sellerId of JTL SCX's example, so that example works as it stands.
DEMO_TENANT = Tenant(
    id="acme",
    name="Acme Inc.",
    ticket_prefix="INV",
    channel_seller_ids=["4711"],
    admin_emails=["ops@acme.com"],
)
OTHER_TENANT = Tenant(id="globex", name="Globex Corp.", ticket_prefix="GLX", channel_seller_ids=["4712"])
# Customer 1 and staff member 5 are the user_id and assigned_to of Paymenter's examples; 5 is an N2
# agent, whom automatic assignment (N1 only) leaves alone.
DEMO_CUSTOMERS = (
    ("user_42", "john@acme.com", "John Doe"),
    ("user_7", "jane@acme.com", "Jane Roe"),
    ("1", "john.doe@acme.com", "John Doe"),
)
DEMO_AGENTS = (
    ("agent_n1", "Agent N1", "agent@acme.com", AgentLevel.N1),
    ("agent_n2", "Agent N2", "agent2@acme.com", AgentLevel.N1),
    ("5", "Sam Staff", "sam@acme.com", AgentLevel.N2),
)


class StackError(Exception):
    """Something the user can act on; printed without a traceback."""


@dataclass(frozen=True)
class Profile:
    name: str
    port: int
    state: Path  # MiniStack's persisted state, build output, pid and log
    stack_file: Path  # what scripts and the e2e tests read

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid_file(self) -> Path:
        return self.state / "ministack.pid"

    @property
    def aws_env(self) -> dict[str, str]:
        return {
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_ACCESS_KEY_ID": "test",
            "AWS_SECRET_ACCESS_KEY": "test",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_REGION": "us-east-1",
            "SAM_CLI_TELEMETRY": "0",
        }

    def client(self, service: str) -> Any:
        return boto3.client(
            service,  # type: ignore[call-overload]
            endpoint_url=self.endpoint,
            region_name="us-east-1",
            aws_access_key_id="test",
            aws_secret_access_key="test",
        )


def profile(name: str) -> Profile:
    local = ROOT / ".local"
    if name == "e2e":
        # E2E_STATE (relative to the repository): another folder, for a second e2e stack beside the
        # one `make e2e` runs (with its own E2E_PORT too).
        state = ROOT / os.environ["E2E_STATE"] if os.environ.get("E2E_STATE") else local / "e2e"
        return Profile("e2e", int(os.environ.get("E2E_PORT", "4567")), state, state / "stack.json")
    return Profile("dev", int(os.environ.get("LOCAL_PORT", "4566")), local / "dev", local / "stack.json")


def say(message: str) -> None:
    print(message, flush=True)


# MiniStack -----------------------------------------------------------------------------------------


def _port_taken(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


def _healthy(endpoint: str) -> bool:
    try:
        with urllib.request.urlopen(f"{endpoint}/_ministack/health", timeout=2) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def start_ministack(profile: Profile) -> subprocess.Popen[bytes]:
    if _port_taken(profile.port):
        variable, target = ("E2E_PORT", "test") if profile.name == "e2e" else ("LOCAL_PORT", "run")
        raise StackError(
            f"Port {profile.port} on 127.0.0.1 is in use (another `make run`, or another program).\n"
            f"Stop it, or choose another port: {variable}=4600 make {target}"
        )
    profile.state.mkdir(parents=True, exist_ok=True)
    log = (profile.state / "ministack.log").open("ab")
    env = os.environ | {
        "GATEWAY_PORT": str(profile.port),
        "BIND_HOST": "127.0.0.1",
        "PERSIST_STATE": "1",
        "STATE_DIR": str(profile.state / "ministack-state"),
        "LOG_LEVEL": "INFO",
        # IAM enforcement, as on AWS: each function calls with its own role and gets AccessDenied
        # for anything template.yaml does not grant it. Our own calls (deploy, seed) are root's.
        "AUTH": "true",
        # Its threads that wait on Lambda invocations (64 by default): a burst of events (a queue of
        # tickets assigned at once, each pushed and delivered) held them all, and a WebSocket
        # message's invocation waited over 45 s behind them.
        "MINISTACK_WORKER_THREADS": "256",
    }
    env.pop("AWS_ENDPOINT_URL", None)
    # Its own session: stopping the group stops the Lambda workers it spawned too.
    process = subprocess.Popen([str(MINISTACK)], env=env, stdout=log, stderr=log, start_new_session=True)
    profile.pid_file.write_text(str(process.pid))
    deadline = time.monotonic() + 60
    while not _healthy(profile.endpoint):
        if process.poll() is not None:
            raise StackError(f"MiniStack exited at start (code {process.returncode}); see {log.name}")
        if time.monotonic() > deadline:
            stop_ministack(profile)
            raise StackError(f"MiniStack did not answer within 60 s; see {log.name}")
        time.sleep(0.2)
    return process


def stop_ministack(profile: Profile) -> bool:
    """Stop MiniStack and everything it started; True if something was running."""
    if not profile.pid_file.exists():
        return False
    pid = int(profile.pid_file.read_text())
    profile.pid_file.unlink()
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return False
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.killpg(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)
    return True


# Build and deploy ----------------------------------------------------------------------------------


def fingerprint() -> str:
    digest = hashlib.sha256()
    for source in SOURCES:
        path = ROOT / source
        files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
        for file in files:
            if "__pycache__" in file.parts:
                continue
            digest.update(str(file.relative_to(ROOT)).encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()


def _sam(profile: Profile, *arguments: str, extra_env: dict[str, str] | None = None) -> None:
    env = os.environ | profile.aws_env | (extra_env or {})
    completed = subprocess.run(
        [str(SAM), *arguments], cwd=ROOT, env=env, check=False, capture_output=True, text=True
    )
    if completed.returncode != 0:
        raise StackError(
            f"sam {arguments[0]} failed:\n{(completed.stdout + completed.stderr).strip()[-4000:]}"
        )


def build(profile: Profile, source_hash: str) -> Path:
    build_dir = profile.state / "build"
    stamp = profile.state / "build.sha256"
    if stamp.exists() and stamp.read_text() == source_hash and (build_dir / "template.yaml").exists():
        say("Build: up to date")
        return build_dir
    say("Build: sam build (layer for the local interpreter)...")
    _sam(
        profile,
        "build",
        "--config-file",
        str(ROOT / "samconfig.toml"),
        "--config-env",
        "local",
        "--template",
        "template.yaml",
        "--build-dir",
        str(build_dir),
        extra_env={"LAYER_TARGET": "host", "PYTHON": str(MINISTACK_PYTHON)},
    )
    stamp.write_text(source_hash)
    return build_dir


def _stack(profile: Profile) -> dict[str, Any] | None:
    cloudformation = profile.client("cloudformation")
    try:
        stacks = cloudformation.describe_stacks(StackName=STACK_NAME)["Stacks"]
    except cloudformation.exceptions.ClientError:
        return None
    return stacks[0] if stacks else None


def _failure_report(profile: Profile) -> str:
    cloudformation = profile.client("cloudformation")
    try:
        events = cloudformation.describe_stack_events(StackName=STACK_NAME)["StackEvents"]
    except cloudformation.exceptions.ClientError:
        return "  (the stack was not created)"
    failed = [event for event in events if str(event.get("ResourceStatus", "")).endswith("FAILED")]
    lines = [
        f"  {event['LogicalResourceId']} ({event.get('ResourceType')}): "
        f"{event.get('ResourceStatusReason', 'no reason given')}"
        for event in failed[:10]
    ]
    return "\n".join(lines) or "  (no failed resource reported)"


def deploy(profile: Profile, build_dir: Path, source_hash: str) -> dict[str, str]:
    """Deploy when the sources changed since the last deployment to this state (an older stack is
    updated in place, never reused as is); return the stack's outputs."""
    stamp = profile.state / "deployed.sha256"
    stack = _stack(profile)
    if stack is None or not stamp.exists() or stamp.read_text() != source_hash:
        say(f"Deploy: sam deploy to {profile.endpoint} ...")
        try:
            _sam(
                profile,
                "deploy",
                "--config-file",
                str(ROOT / "samconfig.toml"),
                "--config-env",
                "local",
                "--template-file",
                str(build_dir / "template.yaml"),
                "--stack-name",
                STACK_NAME,
            )
        except StackError as error:
            raise StackError(f"{error}\n\nFailed resources:\n{_failure_report(profile)}") from None
        stamp.write_text(source_hash)
        stack = _stack(profile)
        assert stack is not None
    else:
        say("Deploy: up to date")
    outputs = {output["OutputKey"]: output["OutputValue"] for output in stack.get("Outputs", [])}
    _apply_gateway_responses(profile, outputs["ApiId"])
    _allow_send_email(profile)
    return outputs


def _allow_send_email(profile: Profile) -> None:
    """MiniStack checks SESv2 SendEmail against `*`, not the sender's identity ARN that template.yaml
    grants (AWS checks that one): give the stream function's role SendEmail on `*` as well."""
    role = profile.client("cloudformation").describe_stack_resource(
        StackName=STACK_NAME, LogicalResourceId="TicketStreamFunctionRole"
    )["StackResourceDetail"]["PhysicalResourceId"]
    document = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "ses:SendEmail", "Resource": "*"}],
    }
    profile.client("iam").put_role_policy(
        RoleName=role, PolicyName="ministack-ses-send-email", PolicyDocument=json.dumps(document)
    )


def _apply_gateway_responses(profile: Profile, api_id: str) -> None:
    """Where MiniStack differs from AWS, make the deployed API behave as template.yaml says on AWS:
    - it ignores the SAM GatewayResponses property: put the same responses on the API;
    - it drops ApiKeySourceType AUTHORIZER and would ask clients for an x-api-key header instead: the
      methods stop requiring one (so there is no per-tenant rate limit locally);
    - it drops the ANY methods (SAM's x-amazon-apigateway-any-method) when it imports the API: they are
      put on the resources again, to the same function;
    then deploy the stage again so all of it applies (the API is recreated when routes change: every time)."""
    properties = template()["Resources"]["TicketsApi"]["Properties"]
    apigateway = profile.client("apigateway")
    for response_type, response in properties.get("GatewayResponses", {}).items():
        arguments: dict[str, Any] = {"restApiId": api_id, "responseType": response_type}
        if "StatusCode" in response:
            arguments["statusCode"] = str(response["StatusCode"])
        if "ResponseTemplates" in response:
            arguments["responseTemplates"] = response["ResponseTemplates"]
        headers = response.get("ResponseParameters", {}).get("Headers", {})
        if headers:
            arguments["responseParameters"] = {f"gatewayresponse.header.{k}": v for k, v in headers.items()}
        apigateway.put_gateway_response(**arguments)
    for resource in apigateway.get_resources(restApiId=api_id, embed=["methods"], limit=500)["items"]:
        for method, details in resource.get("resourceMethods", {}).items():
            if details.get("apiKeyRequired"):
                apigateway.update_method(
                    restApiId=api_id,
                    resourceId=resource["id"],
                    httpMethod=method,
                    # "replace" with "false" is stored as a (truthy) string by MiniStack; "remove" unsets it.
                    patchOperations=[{"op": "remove", "path": "/apiKeyRequired"}],
                )
    _put_any_methods(profile, api_id)
    apigateway.create_deployment(restApiId=api_id, stageName=LOCAL_STAGE)


def _put_any_methods(profile: Profile, api_id: str) -> None:
    """The ANY methods of template.yaml's functions, as SAM makes them on AWS: no authorizer, a Lambda
    proxy integration."""
    apigateway = profile.client("apigateway")
    resources = {
        resource["path"]: resource
        for resource in apigateway.get_resources(restApiId=api_id, embed=["methods"], limit=500)["items"]
    }
    cloudformation, lambda_client = profile.client("cloudformation"), profile.client("lambda")
    for name, function in template()["Resources"].items():
        events = function.get("Properties", {}).get("Events", {}).values()
        paths = [
            event["Properties"]["Path"] for event in events if event["Properties"].get("Method") == "ANY"
        ]
        if not paths:
            continue
        physical = cloudformation.describe_stack_resource(StackName=STACK_NAME, LogicalResourceId=name)
        arn = lambda_client.get_function(FunctionName=physical["StackResourceDetail"]["PhysicalResourceId"])[
            "Configuration"
        ]["FunctionArn"]
        uri = f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{arn}/invocations"
        for path in paths:
            resource = resources[path]
            if "ANY" in resource.get("resourceMethods", {}):
                continue
            where = {"restApiId": api_id, "resourceId": resource["id"], "httpMethod": "ANY"}
            apigateway.put_method(**where, authorizationType="NONE")
            apigateway.put_integration(**where, type="AWS_PROXY", integrationHttpMethod="POST", uri=uri)


def _recreate_stream_mappings(profile: Profile) -> None:
    """After a restart MiniStack's stream starts again at 0 while its event source mappings resume at
    their saved offsets, silently skipping new records: make the mappings again (MINISTACK.md)."""
    lambda_client = profile.client("lambda")
    for mapping in lambda_client.list_event_source_mappings()["EventSourceMappings"]:
        if ":dynamodb:" not in mapping.get("EventSourceArn", ""):
            continue
        lambda_client.delete_event_source_mapping(UUID=mapping["UUID"])
        arguments = {
            name: mapping[name]
            for name in (
                "EventSourceArn",
                "FunctionArn",
                "BatchSize",
                "MaximumBatchingWindowInSeconds",
                "FilterCriteria",
                "FunctionResponseTypes",
                "MaximumRecordAgeInSeconds",
                "BisectBatchOnFunctionError",
                "MaximumRetryAttempts",
                "DestinationConfig",
            )
            if mapping.get(name) is not None
        }
        arguments["FunctionName"] = arguments.pop("FunctionArn")
        lambda_client.create_event_source_mapping(StartingPosition="TRIM_HORIZON", **arguments)


# Seed ----------------------------------------------------------------------------------------------


def _key_still_valid(access: AccessRepository, key: str | None) -> bool:
    if not key:
        return False
    found = access.find_key(api_keys.key_hash(key))
    return found is not None and found.revoked_at is None


def _new_key(
    access: AccessRepository, tenant_id: str, role: Role, name: str, agent_id: str | None = None
) -> str:
    secret = api_keys.new_secret()
    key = ApiKey(
        tenant_id=tenant_id,
        id=api_keys.new_key_id(),
        role=role,
        agent_id=agent_id,
        name=name,
        created_at=utc_now(),
    )
    access.add_key(key, api_keys.key_hash(secret))
    return secret


def seed(profile: Profile, table: str, previous: dict[str, Any]) -> dict[str, str]:
    """Demo tenants, customers, agents and keys; keys from an earlier run are kept while valid."""
    ses = profile.client("sesv2")
    with contextlib.suppress(ses.exceptions.AlreadyExistsException):
        ses.create_email_identity(EmailIdentity=LOCAL_SENDER)
    dynamodb = profile.client("dynamodb")
    tenants, customers, agents = (
        TenantStore(dynamodb, table),
        CustomerStore(dynamodb, table),
        AgentStore(dynamodb, table),
    )
    access = AccessRepository(dynamodb, table)
    now = utc_now()
    for tenant in (DEMO_TENANT, OTHER_TENANT):
        tenants.create_tenant(tenant)
        # Set again on a kept stack too: its tenants may predate their seller ids and admin emails.
        tenants.set_channel_sellers(tenant.id, tenant.channel_seller_ids)
        tenants.set_admin_emails(tenant.id, tenant.admin_emails)
        for external_id, email, name in DEMO_CUSTOMERS:
            if customers.get_customer(tenant.id, external_id) is None:
                customer = Customer(
                    tenant_id=tenant.id,
                    id=new_ulid(now),
                    external_id=external_id,
                    email=email,
                    name=name,
                    created_at=now,
                    updated_at=now,
                )
                customers.put_customer(customer)
        for agent_id, name, email, level in DEMO_AGENTS:
            agent = Agent(
                tenant_id=tenant.id, id=agent_id, name=name, email=email, level=level, created_at=now
            )
            agents.put_agent(agent)
    keys = previous.get("keys", {})
    wanted: dict[str, tuple[str, Role, str | None]] = {
        "admin": (DEMO_TENANT.id, Role.ADMIN, None),
        "integration": (DEMO_TENANT.id, Role.INTEGRATION, None),
        "agent": (DEMO_TENANT.id, Role.AGENT, "agent_n1"),
        "otherTenantAdmin": (OTHER_TENANT.id, Role.ADMIN, None),
    }
    fresh: dict[str, str] = {}
    for label, (tenant_id, role, agent_id) in wanted.items():
        key = keys.get(label)
        fresh[label] = (
            key
            if key is not None and _key_still_valid(access, key)
            else _new_key(access, tenant_id, role, f"demo {label}", agent_id)
        )
    return fresh


# Commands ------------------------------------------------------------------------------------------


def up(profile: Profile, fresh: bool = False) -> dict[str, Any]:
    if fresh and profile.state.exists():
        stop_ministack(profile)
        shutil.rmtree(profile.state)
    source_hash = fingerprint()
    started = time.monotonic()
    restarted = (profile.state / "ministack-state").exists()
    process = start_ministack(profile)
    try:
        build_dir = build(profile, source_hash)
        outputs = deploy(profile, build_dir, source_hash)
        if restarted:
            _recreate_stream_mappings(profile)
        previous = json.loads(profile.stack_file.read_text()) if profile.stack_file.exists() else {}
        keys = seed(profile, outputs["TableName"], previous)
    except BaseException:
        stop_ministack(profile)
        raise
    api_url = f"{profile.endpoint}/_aws/execute-api/{outputs['ApiId']}/{LOCAL_STAGE}"
    stack = {
        "apiUrl": api_url,
        "consoleUrl": f"{api_url}/console/",
        "docsUrl": f"{api_url}/docs/",
        "realtimeUrl": _realtime_url(profile, outputs),
        "apiKey": keys["admin"],
        "tenantId": DEMO_TENANT.id,
        "keys": keys,
        "otherTenantId": OTHER_TENANT.id,
        "endpoint": profile.endpoint,
        "stackName": STACK_NAME,
        "tableName": outputs["TableName"],
        "pid": process.pid,
    }
    profile.stack_file.parent.mkdir(parents=True, exist_ok=True)
    profile.stack_file.write_text(json.dumps(stack, indent=2) + "\n")
    say(f"Ready in {time.monotonic() - started:.1f} s")
    return stack


def _realtime_url(profile: Profile, outputs: dict[str, str]) -> str:
    """The emulator's form of the RealtimeUrl output (the token route answers the same address)."""
    stage = outputs["RealtimeUrl"].rsplit("/", 1)[-1]
    return f"ws{profile.endpoint.removeprefix('http')}/_aws/execute-api/{outputs['RealtimeApiId']}/{stage}"


def banner(stack: dict[str, Any], stack_file: Path) -> str:
    api, key = stack["apiUrl"], stack["apiKey"]
    return f"""
Tickets API is running (MiniStack on {stack["endpoint"]}, stack {stack["stackName"]}).

  API base URL : {api}
  API key      : {key}   (admin of tenant {stack["tenantId"]}; more keys in {stack_file.relative_to(ROOT)})
  WebSocket    : {stack["realtimeUrl"]}?token=...   (a token from POST /v1/realtime/tokens)
  Console      : {stack["consoleUrl"]}   (sign in with the API key above, or an agent's key)
  API reference: {stack["docsUrl"]}

Try:
  curl -s -X POST "{api}/v1/tickets" -H "X-API-Key: {key}" -H "Content-Type: application/json" \\
    -d '{EXAMPLE_TICKET}'
  curl -s "{api}/v1/tickets?status=OPEN,IN_PROGRESS&limit=10" -H "Authorization: Bearer {key}"
  curl -s "{api}/v1/tickets/INV-1" -H "X-API-Key: {key}"

make emails shows the emails sent, make logs the functions' logs. Ctrl-C stops everything.
"""


def run(profile: Profile) -> int:
    stack = up(profile)
    say(banner(stack, profile.stack_file))

    def stop(*_: Any) -> None:
        raise KeyboardInterrupt

    for stopping in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(stopping, stop)
    parent = os.getppid()
    try:
        while _process_alive(stack["pid"]):
            if os.getppid() != parent:  # make (or the terminal) went away without telling us
                raise KeyboardInterrupt
            time.sleep(0.5)
        say(f"MiniStack stopped by itself; see {profile.state / 'ministack.log'}")
        return 1
    except KeyboardInterrupt:
        say("\nStopping...")
        return 0
    finally:
        stop_ministack(profile)
        say("Stopped. Data is kept for the next `make run`.")


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _readable_time(seconds: float, *, milliseconds: bool = False) -> str:
    """Local time with its zone, e.g. `2026-12-01 09:58:45 CET` (`.668` before the zone with milliseconds)."""
    moment = datetime.fromtimestamp(seconds, UTC).astimezone()
    fraction = f".{moment.microsecond // 1000:03d}" if milliseconds else ""
    return f"{moment:%Y-%m-%d %H:%M:%S}{fraction} {moment.tzname() or moment.strftime('%z')}"


def emails(profile: Profile) -> int:
    try:
        with urllib.request.urlopen(f"{profile.endpoint}/_ministack/ses/messages", timeout=5) as response:
            document = json.load(response)
    except (urllib.error.URLError, OSError):
        raise StackError(f"Nothing answers on {profile.endpoint}: start the stack with `make run`") from None
    messages = [message for account in document.get("messages", {}).values() for message in account]
    if not messages:
        say("No emails sent yet.")
    # MiniStack's outbox is in sending order; its Timestamp is seconds since the epoch.
    for message in reversed(messages):
        say(email_text(message))
    return 0


def email_text(message: dict[str, Any]) -> str:
    sent = message.get("Timestamp")
    when = _readable_time(float(sent)) if isinstance(sent, int | float) else str(sent or "(no time)")
    headers = [("From", message.get("Source") or "")]
    for header, field in (("To", "To"), ("Cc", "CC"), ("Bcc", "BCC")):
        if message.get(field) or header == "To":
            headers.append((header, ", ".join(message.get(field) or [])))
    headers.append(("Subject", message.get("Subject") or ""))
    lines = [f"--- {when}", *(f"{name + ':':<9}{value}" for name, value in headers)]
    return "\n".join([*lines, "", (message.get("BodyText") or "").strip(), ""])


# Logs ----------------------------------------------------------------------------------------------
#
# What the Lambda runtime writes around each invocation (text log format). MiniStack gives every line
# of an invocation the same timestamp (the end of the invocation) and each invocation its own stream;
# AWS writes many invocations, one after the other, to the stream of an execution environment. Either
# way the lines of a stream come back from FilterLogEvents in the order they were written (equal
# timestamps keep that order), so a stream is split into invocations and never sorted by its text.
_START = re.compile(r"START RequestId: (?P<id>\S+)")
_REPORT = re.compile(r"REPORT RequestId: (?P<id>\S+)\s+Duration: (?P<ms>[\d.]+) ms")
# A SAM function's physical name: <stack>-<LogicalId>-<suffix of capitals and digits>.
_GENERATED_SUFFIX = re.compile(r"-[0-9A-Z]{8,}$")
# Powertools Logger keys the block header already shows, or the same on every line of a function.
_HEADER_KEYS = frozenset(
    {"level", "message", "timestamp", "service", "cold_start", "function_name", "function_arn",
     "function_memory_size", "function_request_id"}
)  # fmt: skip
_FILTER_LIMIT = 10_000  # FilterLogEvents' largest page


@dataclass
class Invocation:
    function: str
    request_id: str | None  # None: lines written outside any invocation
    started_ms: int
    messages: list[str]


def function_name(log_group: str) -> str:
    """`/aws/lambda/tickets-local-CreateTicketFunction-0A085EB501F02` -> `CreateTicketFunction`."""
    name = log_group.removeprefix("/aws/lambda/").removeprefix(f"{STACK_NAME}-")
    return _GENERATED_SUFFIX.sub("", name)


def _matches(function: str, wanted: str) -> bool:
    """`create_ticket`, `CreateTicket`, `createticketfunction`... all name CreateTicketFunction."""

    def plain(name: str) -> str:
        return re.sub(r"[^a-z0-9]", "", name.lower()).removesuffix("function")

    return plain(wanted) in plain(function)


def invocations(function: str, events: list[dict[str, Any]]) -> list[Invocation]:
    """One function's log events (FilterLogEvents' order) as its invocations, lines in written order.
    Lines before an invocation's START (the runtime's INIT lines, import-time warnings) go with it."""
    streams: dict[str, list[dict[str, Any]]] = {}
    for event in events:
        streams.setdefault(event.get("logStreamName", ""), []).append(event)
    found: list[Invocation] = []
    for stream in streams.values():
        stream.sort(key=lambda event: int(event["timestamp"]))  # stable: equal timestamps keep their order
        current: Invocation | None = None
        pending = Invocation(function, None, 0, [])  # lines since the last invocation ended
        for event in stream:
            message = str(event["message"]).rstrip("\n")
            if not pending.messages:
                pending.started_ms = int(event["timestamp"])
            started = _START.match(message)
            if started:
                current = Invocation(function, started["id"], pending.started_ms, pending.messages)
                found.append(current)
                pending = Invocation(function, None, 0, [])
            (pending if current is None else current).messages.append(message)
            report = _REPORT.match(message)
            if current is not None and report and report["id"] == current.request_id:
                # MiniStack stamps every line with the end of the invocation: start = end - duration.
                ended = int(event["timestamp"])
                current.started_ms = min(current.started_ms, ended - round(float(report["ms"])))
                current = None
        if pending.messages:
            found.append(pending)
    return found


def _value(value: Any) -> str:
    if isinstance(value, str):
        return value if value and not any(c.isspace() or c in "=\"'" for c in value) else json.dumps(value)
    return json.dumps(value, separators=(",", ":"), default=str)


def compact(message: str) -> list[str]:
    """A Powertools log line as `INFO    message  key=value ...` (multi-line values such as a traceback
    on the lines after it), a metrics (EMF) line as `METRICS Name=value Unit ...`; any other line as is."""
    try:
        document = json.loads(message) if message.startswith("{") else None
    except ValueError:
        document = None
    if not isinstance(document, dict):
        return message.splitlines() or [""]
    if isinstance(document.get("_aws"), dict):
        return [_compact_metrics(document)]
    if "level" not in document or "message" not in document:
        return [message]
    fields, blocks = [], []
    for key, value in document.items():
        if key in _HEADER_KEYS:
            continue
        if isinstance(value, str) and "\n" in value:
            blocks.extend([f"{key}:", *(f"  {line}" for line in value.rstrip("\n").splitlines())])
        else:
            fields.append(f"{key}={_value(value)}")
    text = str(document["message"])
    first = f"{document['level']!s:<8}{text}" + (f"  {' '.join(fields)}" if fields else "")
    return [first, *blocks]


def _compact_metrics(document: dict[str, Any]) -> str:
    names: dict[str, str] = {}
    for directive in document["_aws"].get("CloudWatchMetrics") or []:
        for metric in directive.get("Metrics") or []:
            names[metric.get("Name", "")] = metric.get("Unit", "")
    parts = []
    for name, unit in names.items():
        value = document.get(name)
        shown = value[0] if isinstance(value, list) and len(value) == 1 else value
        shown = int(shown) if isinstance(shown, float) and shown.is_integer() else shown
        parts.append(f"{name}={_value(shown)}" + (f" {unit}" if unit and unit != "None" else ""))
    others = [
        f"{key}={_value(value)}"
        for key, value in document.items()
        if key not in names and key not in ("_aws", "service")
    ]
    return f"{'METRICS':<8}" + "  ".join(parts + others)


def render(invocation: Invocation, *, raw: bool = False) -> str:
    cold = any('"cold_start":true' in message.replace(" ", "") for message in invocation.messages)
    header = "  ".join(
        [
            _readable_time(invocation.started_ms / 1000, milliseconds=True),
            invocation.function,
            invocation.request_id or "(outside any invocation)",
            *(["cold start"] if cold else []),
        ]
    )
    lines = [
        line
        for message in invocation.messages
        for line in (message.splitlines() or [""] if raw else compact(message))
    ]
    return "\n".join([header, *(f"    {line}" for line in lines)])


def _log_events(client: Any, group: str, since: int) -> list[dict[str, Any]]:
    """All of a group's events since `since` (ms). AWS pages with nextToken; MiniStack returns at most
    10,000 events and no token, so there the next page starts at the last timestamp seen."""
    events: list[dict[str, Any]] = []
    seen: set[str] = set()
    arguments: dict[str, Any] = {"logGroupName": group, "startTime": since, "limit": _FILTER_LIMIT}
    while True:
        page = client.filter_log_events(**arguments)
        fresh = [event for event in page["events"] if event.get("eventId") not in seen]
        events.extend(fresh)
        seen.update(event.get("eventId", "") for event in fresh)
        if page.get("nextToken"):
            arguments["nextToken"] = page["nextToken"]
        elif len(page["events"]) >= _FILTER_LIMIT and fresh:
            arguments["startTime"] = page["events"][-1]["timestamp"]
        else:
            return events


def logs(profile: Profile, minutes: int, function: str | None = None, raw: bool = False) -> int:
    client = profile.client("logs")
    try:
        groups = [
            group["logGroupName"]
            for page in client.get_paginator("describe_log_groups").paginate(
                logGroupNamePrefix=f"/aws/lambda/{STACK_NAME}-"
            )
            for group in page["logGroups"]
        ]
    except (BotoCoreError, ClientError):
        raise StackError(f"Nothing answers on {profile.endpoint}: start the stack with `make run`") from None
    if function is not None:
        chosen = [group for group in groups if _matches(function_name(group), function)]
        if not chosen:
            known = ", ".join(sorted(function_name(group) for group in groups)) or "none yet"
            raise StackError(f"No function matches {function!r}; the functions: {known}")
        groups = chosen
    since = int((datetime.now(UTC) - timedelta(minutes=minutes)).timestamp() * 1000)
    found = [
        invocation
        for group in groups
        for invocation in invocations(function_name(group), _log_events(client, group, since))
    ]
    found.sort(key=lambda invocation: invocation.started_ms)
    for invocation in found:
        say(render(invocation, raw=raw) + "\n")
    if not found:
        say(f"No log lines in the last {minutes} minutes.")
    return 0


# Invoke --------------------------------------------------------------------------------------------
#
# `sam local invoke <Function> -e <event>` without Docker: the deployed function of the running stack.
_TAIL_LIMIT = 4096  # Invoke's LogResult: the last 4 KB of the invocation's output


def function_folders() -> dict[str, str]:
    """template.yaml's functions by folder under functions/ (their CodeUri): create_ticket -> logical id."""
    return {
        Path(resource["Properties"]["CodeUri"]).name: logical_id
        for logical_id, resource in sorted(template()["Resources"].items())
        if resource["Type"] == "AWS::Serverless::Function"
    }


def _chosen_function(function: str | None) -> str:
    """The logical id of FN: its folder (create_ticket) or, as sam takes it, its logical id."""
    folders = function_folders()
    known = ", ".join(sorted(folders))
    if not function:
        raise StackError(f"Which function? make invoke FN=<one of: {known}> EVENT=events/<file>.json")
    wanted = function.lower().replace("_", "").removesuffix("function")
    for folder, logical_id in folders.items():
        if wanted in (folder.replace("_", ""), logical_id.lower().removesuffix("function")):
            return logical_id
    raise StackError(f"No function {function!r}; FN is one of: {known}")


def _read_event(path: Path | None) -> bytes:
    if path is None:
        raise StackError("Which event? make invoke FN=<function> EVENT=events/<file>.json")
    try:
        text = path.read_bytes()
    except OSError as error:
        raise StackError(f"Cannot read the event {path}: {error.strerror}") from None
    try:
        json.loads(text)
    except ValueError as error:
        raise StackError(f"The event {path} is not JSON: {error}") from None
    return text


def invoke(profile: Profile, function: str | None, event_path: Path | None) -> int:
    """Print the function's log lines of this invocation (stderr) and its response (stdout); 1 when
    the function raised (FunctionError), as `sam local invoke` does."""
    logical_id = _chosen_function(function)
    payload = _read_event(event_path)
    if not _healthy(profile.endpoint) or _stack(profile) is None:
        raise StackError(f"No local stack answers on {profile.endpoint}: start it with `make run`")
    physical = profile.client("cloudformation").describe_stack_resource(
        StackName=STACK_NAME, LogicalResourceId=logical_id
    )["StackResourceDetail"]["PhysicalResourceId"]
    response = profile.client("lambda").invoke(FunctionName=physical, Payload=payload, LogType="Tail")
    tail = base64.b64decode(response.get("LogResult", "")).decode("utf-8", "replace")
    if len(tail.encode()) >= _TAIL_LIMIT:
        print(f"(the last 4 KB of the log; make logs FUNCTION={function} shows all)", file=sys.stderr)
    for message in tail.splitlines():
        for line in compact(message):
            print(line, file=sys.stderr)
    body = response["Payload"].read().decode()
    try:
        say(json.dumps(json.loads(body), indent=2, ensure_ascii=False))
    except ValueError:
        say(body)
    if response.get("FunctionError"):
        print(f"error: {logical_id} failed ({response['FunctionError']})", file=sys.stderr)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.support.local_stack", description=__doc__.split("\n")[0]
    )
    parser.add_argument("command", choices=["run", "up", "down", "emails", "logs", "invoke"])
    parser.add_argument("--profile", choices=["dev", "e2e"], default="dev")
    parser.add_argument("--fresh", action="store_true", help="up: start from empty state")
    parser.add_argument("--minutes", type=int, default=30, help="logs: how far back")
    parser.add_argument(
        "--function", help="logs: one function's only; invoke: the function (create_ticket, authorizer...)"
    )
    parser.add_argument("--raw", action="store_true", help="logs: every line exactly as written")
    parser.add_argument("--event", type=Path, help="invoke: the event file (events/create_ticket.json...)")
    arguments = parser.parse_args(argv)
    chosen = profile(arguments.profile)
    try:
        match arguments.command:
            case "run":
                return run(chosen)
            case "up":
                up(chosen, fresh=arguments.fresh)
            case "down":
                say("Stopped." if stop_ministack(chosen) else "Nothing was running.")
            case "emails":
                return emails(chosen)
            case "invoke":
                return invoke(chosen, arguments.function, arguments.event)
            case _:
                return logs(chosen, arguments.minutes, arguments.function, arguments.raw)
    except StackError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
