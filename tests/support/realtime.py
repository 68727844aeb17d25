"""The WebSocket API in process: tokens through the REST route, connections opened through the real
authorizer and $connect handlers, messages sent to the real message handler, and the bus's events
(a rule with the template's RealtimePushFunction pattern, to a queue read here) handed to the real push
handler. What each connection was sent is recorded from the @connections client (moto takes the
posts); a connection made gone answers 410 GoneException, as API Gateway does once a client left."""

from __future__ import annotations

import json
from typing import Any

import boto3
from botocore.awsrequest import AWSResponse

from tests.support.aws import template
from tests.support.events import websocket_event
from tests.support.handlers import Api, LambdaContext, handler_module
from tickets import clients
from tickets.settings import get_event_settings, get_realtime_settings

PUSH_QUEUE = "realtime-push-events"


class Sockets:
    """What the functions post to each connection (parsed JSON, in order), and which are gone."""

    def __init__(self) -> None:
        self.sent: dict[str, list[dict[str, Any]]] = {}
        self.gone: set[str] = set()
        self.posts = 0
        self.sizes: list[int] = []  # of each message delivered, in bytes
        events = clients.connections(get_realtime_settings().management_url).meta.events
        events.register("provide-client-params.apigatewaymanagementapi.PostToConnection", self._remember)
        events.register("before-call.apigatewaymanagementapi.PostToConnection", self._answer)

    def _remember(self, params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        context["connection_id"] = params["ConnectionId"]
        context["data"] = params["Data"]

    def _answer(self, context: dict[str, Any], **_: Any) -> tuple[AWSResponse, dict[str, Any]] | None:
        self.posts += 1
        connection_id = context["connection_id"]
        if connection_id in self.gone:
            error = {"Error": {"Code": "GoneException", "Message": "Gone"}, "ResponseMetadata": {}}
            return AWSResponse("https://gone", 410, {}, None), error
        data = context["data"]
        self.sizes.append(len(data))
        self.sent.setdefault(connection_id, []).append(json.loads(data))
        return None  # moto takes it

    def types(self, connection_id: str) -> list[str]:
        return [message["type"] for message in self.sent.get(connection_id, [])]


class Realtime:
    def __init__(self) -> None:
        self.sockets = Sockets()
        self._sqs = boto3.client("sqs")
        self._queue_url = self._sqs.create_queue(QueueName=PUSH_QUEUE)["QueueUrl"]
        arn = self._sqs.get_queue_attributes(QueueUrl=self._queue_url, AttributeNames=["QueueArn"])
        events = boto3.client("events")
        bus = get_event_settings().event_bus_name
        rule = template()["Resources"]["RealtimePushFunction"]["Properties"]["Events"]["Events"]
        events.put_rule(
            Name="realtime-push", EventBusName=bus, EventPattern=json.dumps(rule["Properties"]["Pattern"])
        )
        events.put_targets(
            Rule="realtime-push",
            EventBusName=bus,
            Targets=[{"Id": "realtime-push", "Arn": arn["Attributes"]["QueueArn"]}],
        )
        self._connections = 0

    # Connecting ------------------------------------------------------------------------------------

    def authorize(self, token: str | None) -> dict[str, Any]:
        """The authorizer's answer to a $connect with this token (None: no token at all)."""
        event = websocket_event("realtime_authorizer.json")
        event["queryStringParameters"] = {"token": token} if token is not None else None
        event["multiValueQueryStringParameters"] = {"token": [token]} if token is not None else None
        return handler_module("realtime_authorizer").lambda_handler(
            event, LambdaContext("realtime_authorizer")
        )  # type: ignore[no-any-return]

    def connect(self, api: Api) -> str:
        """A token for the key, and a connection opened with it: the connection's id."""
        token = api.create_realtime_token()
        assert token.status == 201, token.json
        return self.connect_with(token.data["token"])

    def connect_with(self, token: str) -> str:
        policy = self.authorize(token)
        assert policy["policyDocument"]["Statement"][0]["Effect"] == "Allow", policy
        self._connections += 1
        connection_id = f"conn{self._connections:04d}="
        event = websocket_event("realtime_connect.json")
        event["requestContext"] |= {
            "connectionId": connection_id,
            "authorizer": policy["context"] | {"principalId": policy["principalId"]},
        }
        response = handler_module("realtime_connect").lambda_handler(event, LambdaContext("realtime_connect"))
        assert response["statusCode"] == 200, response
        return connection_id

    def disconnect(self, connection_id: str) -> None:
        event = websocket_event("realtime_disconnect.json")
        event["requestContext"]["connectionId"] = connection_id
        handler_module("realtime_disconnect").lambda_handler(event, LambdaContext("realtime_disconnect"))

    def send(self, connection_id: str, body: str, route: str = "subscribe") -> None:
        """A message from the client; `route` is the one API Gateway picked for it."""
        event = websocket_event("realtime_subscribe.json")
        event["requestContext"] |= {"connectionId": connection_id, "routeKey": route}
        event["body"] = body
        handler_module("realtime_message").lambda_handler(event, LambdaContext("realtime_message"))

    # Pushing ---------------------------------------------------------------------------------------

    def push_one(self) -> bool:
        """The bus's next event to the push function, as the rule invokes it; False when there is none."""
        messages = self._sqs.receive_message(QueueUrl=self._queue_url, MaxNumberOfMessages=1).get(
            "Messages", []
        )
        if not messages:
            return False
        (message,) = messages
        handler_module("realtime_push").lambda_handler(
            json.loads(message["Body"]), LambdaContext("realtime_push")
        )
        self._sqs.delete_message(QueueUrl=self._queue_url, ReceiptHandle=message["ReceiptHandle"])
        return True

    def push(self) -> int:
        """The bus's events so far to the push function, one invocation each; how many."""
        pushed = 0
        while self.push_one():
            pushed += 1
        return pushed
