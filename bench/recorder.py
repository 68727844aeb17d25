"""The AWS calls a handler makes, seen through botocore's event hooks on the package's own clients.

`before-parameter-build` keeps the call's parameters, `before-call` / `after-call` bracket the round
trip (moto answers inside it) and give the parsed response. With `units=True` the recorder also reads
the items a write touches, before and after it, straight from moto's backend (no call: nothing to count
or time), to compute read and write units from the real item sizes (bench/capacity.py)."""

from __future__ import annotations

import itertools
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import boto3

from bench import capacity
from bench.capacity import Units
from tickets import clients
from tickets.settings import get_realtime_settings

_ids = itertools.count()
# (table, ((name, value) of PK and SK, sorted)): an item a write touches
ItemKey = tuple[str, tuple[tuple[str, str], ...]]


@dataclass
class Call:
    service: str
    operation: str
    params: dict[str, Any]
    response: dict[str, Any] | None = None
    seconds: float = 0.0
    units: Units = field(default_factory=Units)
    scanned: int | None = None  # Query: ScannedCount
    before: dict[ItemKey, dict[str, Any] | None] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.operation if self.service == "dynamodb" else f"{self.service}:{self.operation}"


class Recorder:
    """Records every call of the package's clients (tickets.clients) while attached."""

    def __init__(self, units: bool = False) -> None:
        self.calls: list[Call] = []
        self.units = units
        self._open: dict[int, tuple[Call, float]] = {}
        self._raw: Any = None
        self._tag = f"bench-recorder-{next(_ids)}"
        self._clients: list[Any] = []
        self.overhead = 0.0  # seconds spent in the recorder's own reads (units=True), outside the calls

    # Attaching -------------------------------------------------------------------------------------

    def attach(self) -> Recorder:
        """Hook the package's DynamoDB, SESv2, EventBridge, SQS, KMS and @connections clients (created
        now if they were not yet)."""
        connections = clients.connections(get_realtime_settings().management_url)
        for client in (
            clients.dynamodb(),
            clients.sesv2(),
            clients.events(),
            clients.sqs(),
            clients.kms(),
            connections,
        ):
            events = client.meta.events
            events.register("before-parameter-build", self._params, unique_id=f"{self._tag}-params")
            events.register("before-call", self._start, unique_id=f"{self._tag}-start")
            events.register("after-call", self._end, unique_id=f"{self._tag}-end")
            self._clients.append(client)
        if self.units:
            self._raw = boto3.client("dynamodb", region_name=clients.dynamodb().meta.region_name)
        return self

    def detach(self) -> None:
        for client in self._clients:
            events = client.meta.events
            events.unregister("before-parameter-build", unique_id=f"{self._tag}-params")
            events.unregister("before-call", unique_id=f"{self._tag}-start")
            events.unregister("after-call", unique_id=f"{self._tag}-end")
        self._clients.clear()

    def __enter__(self) -> Recorder:
        return self.attach()

    def __exit__(self, *_: object) -> None:
        self.detach()

    def clear(self) -> None:
        self.calls.clear()
        self.overhead = 0.0

    # Hooks -----------------------------------------------------------------------------------------

    def _params(self, params: dict[str, Any], model: Any, context: dict[str, Any], **_: Any) -> None:
        service = model.service_model.service_name
        call = Call(service=service, operation=model.name, params=params)
        context["bench_call"] = (self._tag, call)
        if self.units and service == "dynamodb":
            started = time.perf_counter()
            call.before = {(table, key): self._read(table, key) for table, key in _written_keys(call)}
            self.overhead += time.perf_counter() - started

    def _start(self, context: dict[str, Any], **_: Any) -> None:
        tagged = context.get("bench_call")
        if tagged and tagged[0] == self._tag:
            self._open[id(context)] = (tagged[1], time.perf_counter())

    def _end(self, parsed: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        opened = self._open.pop(id(context), None)
        if opened is None:
            return
        call, started = opened
        call.seconds = time.perf_counter() - started
        call.response = parsed
        if "ScannedCount" in parsed:
            call.scanned = int(parsed["ScannedCount"])
        if self.units and call.service == "dynamodb" and "Error" not in parsed:
            started = time.perf_counter()
            call.units = self._units(call)
            self.overhead += time.perf_counter() - started
        self.calls.append(call)

    # Units -----------------------------------------------------------------------------------------

    def _read(self, table: str, key: tuple[tuple[str, str], ...]) -> dict[str, Any] | None:
        """The item as stored, straight from moto's backend (not a call: nothing to count or time)."""
        from moto.dynamodb.models.dynamo_type import DynamoType  # noqa: PLC0415 - only with moto

        from bench.aws import moto_table  # noqa: PLC0415

        values = dict(key)
        stored = moto_table(table).get_item(DynamoType({"S": values["PK"]}), DynamoType({"S": values["SK"]}))
        return stored.to_json()["Attributes"] if stored is not None else None

    def _units(self, call: Call) -> Units:
        params, response = call.params, call.response or {}
        match call.operation:
            case "GetItem":
                sizes = [capacity.item_size(response.get("Item"))]
                return Units(reads=capacity.read_cost(sizes, bool(params.get("ConsistentRead")), True))
            case "BatchGetItem":
                reads = 0.0
                for table, request in params["RequestItems"].items():
                    found = response.get("Responses", {}).get(table, [])
                    sizes = [capacity.item_size(item) for item in found]
                    sizes += [0] * (len(request["Keys"]) - len(found))  # keys not found: the minimum
                    reads += capacity.read_cost(sizes, bool(request.get("ConsistentRead")), True)
                return Units(reads=reads)
            case "Query":
                consistent = bool(params.get("ConsistentRead")) and "IndexName" not in params
                scanned = self._scanned_items(params, response)
                return Units(
                    reads=capacity.read_cost([capacity.item_size(i) for i in scanned], consistent, False)
                )
            case "PutItem" | "UpdateItem" | "DeleteItem" | "TransactWriteItems":
                units = Units()
                transactional = call.operation == "TransactWriteItems"
                for table, key in _written_keys(call):
                    units = units + capacity.write_cost(
                        call.before.get((table, key)), self._read(table, key), transactional
                    )
                return units
        return Units()

    def _scanned_items(self, params: dict[str, Any], response: dict[str, Any]) -> list[dict[str, Any]]:
        """The items a Query read: its response, or without a FilterExpression the same Query again
        with no filter (DynamoDB charges for what it read before filtering)."""
        if "FilterExpression" not in params:
            return list(response.get("Items", []))
        replay = {name: value for name, value in params.items() if name not in ("FilterExpression",)}
        names = replay.get("ExpressionAttributeNames") or {}
        used = replay["KeyConditionExpression"]
        kept_names = {name: value for name, value in names.items() if name in used}
        values = replay.get("ExpressionAttributeValues") or {}
        replay["ExpressionAttributeValues"] = {name: value for name, value in values.items() if name in used}
        if kept_names:
            replay["ExpressionAttributeNames"] = kept_names
        else:
            replay.pop("ExpressionAttributeNames", None)
        replay["Limit"] = int(response.get("ScannedCount", params.get("Limit", 0))) or 1
        items: list[dict[str, Any]] = self._raw.query(**replay)["Items"]
        return items[: int(response.get("ScannedCount", len(items)))]

    # Views -----------------------------------------------------------------------------------------

    def operations(self) -> Counter[str]:
        return Counter(call.name for call in self.calls)

    def round_trips(self) -> int:
        return len(self.calls)

    def total_units(self) -> Units:
        return capacity.total(call.units for call in self.calls)

    def aws_seconds(self) -> float:
        return sum(call.seconds for call in self.calls)

    def own_seconds(self, wall: float) -> float:
        """Of a wall time that covered the recorded calls: what was neither AWS nor the recorder."""
        return wall - self.aws_seconds() - self.overhead

    def scanned(self) -> int:
        return sum(call.scanned or 0 for call in self.calls)


def _written_keys(call: Call) -> list[ItemKey]:
    """(table, key) of every item a write call touches, keys as sorted (name, string value) pairs."""
    params = call.params

    def key_of(table: str, item_or_key: dict[str, Any]) -> ItemKey:
        return table, tuple(sorted((name, item_or_key[name]["S"]) for name in ("PK", "SK")))

    match call.operation:
        case "PutItem":
            return [key_of(params["TableName"], params["Item"])]
        case "UpdateItem" | "DeleteItem":
            return [key_of(params["TableName"], params["Key"])]
        case "TransactWriteItems":
            keys = []
            for action in params["TransactItems"]:
                (kind, body), *_ = action.items()
                keys.append(key_of(body["TableName"], body["Item"] if kind == "Put" else body["Key"]))
            return keys
    return []
