"""Each function's role allows what the function does and nothing more, under the local stack's IAM
enforcement (MiniStack with AUTH=true, as the functions run there): the role of template.yaml is assumed
through STS and its calls are answered as AWS would answer them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from tests.e2e.conftest import Stack
from tests.support.local_stack import STACK_NAME

ROOT_CREDENTIALS = {"aws_access_key_id": "test", "aws_secret_access_key": "test", "region_name": "us-east-1"}
# An item no test or seed writes: a GetItem finds nothing, a write would be a stray item.
PROBE_KEY = {"PK": {"S": "TENANT#iam-probe#TICKET#PROBE"}, "SK": {"S": "#TICKET"}}

Call = Callable[[Any, str], Any]


def get_item(dynamodb: Any, table: str) -> Any:
    return dynamodb.get_item(TableName=table, Key=PROBE_KEY)


def put_item(dynamodb: Any, table: str) -> Any:
    return dynamodb.put_item(TableName=table, Item=PROBE_KEY | {"entity": {"S": "TICKET"}})


def delete_item(dynamodb: Any, table: str) -> Any:
    return dynamodb.delete_item(TableName=table, Key=PROBE_KEY)


def query_table(dynamodb: Any, table: str) -> Any:
    return dynamodb.query(
        TableName=table,
        KeyConditionExpression="PK = :pk",
        ExpressionAttributeValues={":pk": PROBE_KEY["PK"]},
    )


def query_gsi1(dynamodb: Any, table: str) -> Any:
    return dynamodb.query(
        TableName=table,
        IndexName="GSI1",
        KeyConditionExpression="GSI1PK = :pk",
        ExpressionAttributeValues={":pk": {"S": "TENANT#iam-probe#UPDATED"}},
    )


def scan(dynamodb: Any, table: str) -> Any:
    return dynamodb.scan(TableName=table, Limit=1)


def batch_delete(dynamodb: Any, table: str) -> Any:
    return dynamodb.batch_write_item(RequestItems={table: [{"DeleteRequest": {"Key": PROBE_KEY}}]})


def transact_delete(dynamodb: Any, table: str) -> Any:
    return dynamodb.transact_write_items(TransactItems=[{"Delete": {"TableName": table, "Key": PROBE_KEY}}])


@pytest.fixture(scope="module")
def local(stack: Stack) -> Callable[[str], Any]:
    """A root client of the local emulator, by service."""
    if not stack.endpoint:
        pytest.skip(
            "IAM enforcement is proven on the local stack (a deployment's roles need IAM rights to assume)"
        )
    endpoint = stack.endpoint
    return lambda service: boto3.client(service, endpoint_url=endpoint, **ROOT_CREDENTIALS)  # type: ignore[call-overload]


@pytest.fixture(scope="module")
def table(local: Callable[[str], Any]) -> str:
    resource = local("cloudformation").describe_stack_resource(
        StackName=STACK_NAME, LogicalResourceId="TicketsTable"
    )
    return str(resource["StackResourceDetail"]["PhysicalResourceId"])


def dynamodb_as(local: Callable[[str], Any], function: str) -> Any:
    """A DynamoDB client with the credentials of `function`'s execution role (template.yaml's Policies)."""
    role = local("cloudformation").describe_stack_resource(
        StackName=STACK_NAME, LogicalResourceId=f"{function}Role"
    )
    role_arn = local("iam").get_role(RoleName=role["StackResourceDetail"]["PhysicalResourceId"])["Role"][
        "Arn"
    ]
    credentials = local("sts").assume_role(RoleArn=role_arn, RoleSessionName="least-privilege-e2e")[
        "Credentials"
    ]
    return boto3.client(
        "dynamodb",
        endpoint_url=local("sts").meta.endpoint_url,
        region_name="us-east-1",
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
    )


DENIED = [
    # Read-only functions cannot write.
    pytest.param("GetTicketFunction", put_item, id="get-ticket-cannot-put"),
    pytest.param("GetTicketFunction", delete_item, id="get-ticket-cannot-delete"),
    pytest.param("ListTicketsFunction", put_item, id="list-tickets-cannot-put"),
    pytest.param("TicketEventsFunction", put_item, id="ticket-events-cannot-put"),
    pytest.param("ListTicketsFunction", transact_delete, id="list-tickets-cannot-delete-in-a-transaction"),
    pytest.param("AuthorizerFunction", put_item, id="authorizer-cannot-put"),
    # Reads are limited to the reads each function makes.
    pytest.param("GetTicketFunction", query_gsi1, id="get-ticket-cannot-query-gsi1"),
    pytest.param("AuthorizerFunction", query_table, id="authorizer-cannot-query"),
    pytest.param("CreateTicketFunction", scan, id="create-ticket-cannot-scan"),
    # Only the functions that delete tickets may delete in batches.
    pytest.param("TicketStreamFunction", batch_delete, id="stream-cannot-batch-delete"),
    pytest.param("UpdateTicketFunction", batch_delete, id="update-ticket-cannot-batch-delete"),
    # The console's and the reference's files, and GET /v1/me, read nothing of the table.
    pytest.param("ConsoleFunction", get_item, id="console-cannot-read-the-table"),
    pytest.param("ApiDocsFunction", get_item, id="api-docs-cannot-read-the-table"),
    pytest.param("MeFunction", get_item, id="me-cannot-read-the-table"),
    pytest.param("SlaPoliciesFunction", scan, id="sla-policies-cannot-scan"),
    pytest.param("SlaClockFunction", scan, id="sla-clock-cannot-scan"),
]
ALLOWED = [
    pytest.param("GetTicketFunction", get_item, id="get-ticket-gets"),
    pytest.param("GetTicketFunction", query_table, id="get-ticket-queries-the-table"),
    pytest.param("ListTicketsFunction", query_gsi1, id="list-tickets-queries-gsi1"),
    pytest.param("AuthorizerFunction", get_item, id="authorizer-gets"),
    pytest.param("TicketStreamFunction", query_table, id="stream-queries"),
    pytest.param("DeleteTicketFunction", batch_delete, id="delete-ticket-batch-deletes"),
    pytest.param("SlaClockFunction", query_table, id="sla-clock-queries"),
    # The tenant's SLA policies: a create after they changed, a reply to a ticket whose policy went.
    pytest.param("SupportDeskFunction", query_table, id="supportdesk-queries-the-policies"),
    pytest.param("ReplyTicketFunction", query_table, id="reply-ticket-queries-the-policies"),
]


@pytest.mark.parametrize(("function", "call"), DENIED)
def test_a_functions_role_is_denied_what_the_function_never_does(
    local: Callable[[str], Any], table: str, function: str, call: Call
) -> None:
    # Given the function's own role
    dynamodb = dynamodb_as(local, function)

    # When it makes a call the function never makes
    with pytest.raises(ClientError) as refused:
        call(dynamodb, table)

    # Then it is refused as AWS refuses it
    assert refused.value.response["Error"]["Code"] == "AccessDeniedException"
    assert function in refused.value.response["Error"]["Message"]


@pytest.mark.parametrize(("function", "call"), ALLOWED)
def test_a_functions_role_is_allowed_what_the_function_does(
    local: Callable[[str], Any], table: str, function: str, call: Call
) -> None:
    # Given the function's own role
    dynamodb = dynamodb_as(local, function)

    # When it makes a call the function makes
    response = call(dynamodb, table)

    # Then it is answered (the probe item does not exist: nothing found, nothing changed)
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert "Item" not in response
    assert response.get("Items", []) == []
