"""moto, as the integration tests use it: the table of template.yaml, the package's clients and cached
services built afresh inside the mock (tests/integration/conftest.py), seeded tenants.

Two shims make moto usable at the sizes the bench needs; neither changes what moto answers:
- Query: moto lists and sorts every item of the table for each Query (all_items()). With 100,000
  tickets that is seconds per call. Here a Query only looks at the partition (or GSI1 partition) it
  names; the rest of moto's query (sort, ExclusiveStartKey, Limit, ScannedCount, filters) is unchanged.
- Item: moto checks the 400 KB limit again after adding each attribute (quadratic in the attributes);
  here once per item, with the same limit.
- Responses: moto's generic serializer works out, for every value of every response, which keys six
  alias providers would try; for plain dicts these depend only on the member, so here they are
  worked out once per member.
- TransactWriteItems: moto deep-copies the whole table once per action, to roll back on failure;
  tests/support/aws.py's back_up_tables_once_per_transaction (the tests' own fix) backs up only what
  the transaction touches."""

from __future__ import annotations

import contextlib
import contextvars
import os
from collections.abc import Iterator
from typing import Any

import boto3
from moto import mock_aws
from moto.core.constants import MISSING
from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.core.serialize import AttributePicker, AttributePickerContext, ResponseSerializer
from moto.core.utils import get_value as moto_get_value
from moto.dynamodb.exceptions import ItemSizeTooLarge
from moto.dynamodb.models import DynamoDBBackend, dynamodb_backends
from moto.dynamodb.models.dynamo_type import DynamoType, Item, LimitedSizeDict
from moto.dynamodb.models.table import Table as MotoTable
from moto.dynamodb.models.utilities import bytesize

from tests.support.aws import back_up_tables_once_per_transaction, table_definition
from tests.support.moto_table import create_event_and_webhook_resources
from tests.support.moto_table import forget_built_services as forget_test_services
from tickets.api import authorizer
from tickets.observability import logger
from tickets.settings import get_settings

REGION = "us-east-1"

# Query: only the named partition -------------------------------------------------------------------

_partition: contextvars.ContextVar[tuple[MotoTable, str | None, Any] | None] = contextvars.ContextVar(
    "bench_partition", default=None
)
_index_cache: dict[int, tuple[int, dict[Any, list[Any]]]] = {}  # id(table) -> (version, GSI pk -> items)
_versions: dict[int, int] = {}
_original_query = MotoTable.query
_original_all_items = MotoTable.all_items
_original_put = MotoTable.put_item
_original_delete = MotoTable.delete_item
_original_update = DynamoDBBackend.update_item


def changed(table: MotoTable) -> None:
    _versions[id(table)] = _versions.get(id(table), 0) + 1


def _query(self: MotoTable, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
    index_name = args[6] if len(args) > 6 else kwargs.get("index_name")
    conditions = kwargs.get("hash_key_conditions") or []
    partition_value = conditions[0][1] if index_name and len(conditions) == 1 else hash_key
    token = _partition.set((self, index_name, partition_value) if partition_value is not None else None)
    try:
        return _original_query(self, hash_key, *args, **kwargs)
    finally:
        _partition.reset(token)


def _gsi_partitions(table: MotoTable, index_name: str) -> dict[Any, list[Any]]:
    version = _versions.get(id(table), 0)
    cached = _index_cache.get(id(table))
    if cached is None or cached[0] != version:
        index = table.get_index(index_name)
        hash_name = next(key["AttributeName"] for key in index.schema if key["KeyType"] == "HASH")
        partitions: dict[Any, list[Any]] = {}
        for partition in table.items.values():
            stored: list[Any] = list(partition.values()) if table.range_key_attr else [partition]
            for item in stored:
                value = item.attrs.get(hash_name)
                if value is not None:
                    partitions.setdefault(value, []).append(item)
        cached = (version, partitions)
        _index_cache[id(table)] = cached
    return cached[1]


def _all_items(self: MotoTable) -> list[Any]:
    hint = _partition.get()
    if hint is None or hint[0] is not self:
        return _original_all_items(self)
    _, index_name, value = hint
    if index_name is None:
        return list(self.items.get(value, {}).values()) if self.range_key_attr else _original_all_items(self)
    return list(_gsi_partitions(self, index_name).get(value, []))


def _put(self: MotoTable, *args: Any, **kwargs: Any) -> Any:
    changed(self)
    return _original_put(self, *args, **kwargs)


def _delete(self: MotoTable, *args: Any, **kwargs: Any) -> Any:
    changed(self)
    return _original_delete(self, *args, **kwargs)


def _update(self: DynamoDBBackend, table_name: str, *args: Any, **kwargs: Any) -> Any:
    if table_name in self.tables:
        changed(self.tables[table_name])
    return _original_update(self, table_name, *args, **kwargs)


# Item: the size limit checked once ------------------------------------------------------------------

_ITEM_SIZE_LIMIT = 405_000  # moto's own figure (DynamoDB's 400 KB, measured)
_original_item_init = Item.__init__


def _item_init(self: Item, hash_key: DynamoType, range_key: DynamoType | None, attrs: dict[str, Any]) -> None:
    self.hash_key = hash_key
    self.range_key = range_key
    values = LimitedSizeDict.__new__(LimitedSizeDict)
    dict.__init__(values)
    for name, value in attrs.items():
        dict.__setitem__(values, name, DynamoType(value))
    if sum(bytesize(name) + value.size() for name, value in values.items()) > _ITEM_SIZE_LIMIT:
        raise ItemSizeTooLarge
    self.attrs = values


# Responses: the alias chain worked out once per member ----------------------------------------------

_original_get_value = ResponseSerializer.get_value
_possible_keys: dict[tuple[Any, ...], tuple[str, ...]] = {}


def _serializer_get_value(self: ResponseSerializer, value: Any, key: str, shape: Any) -> Any:
    """ResponseSerializer.get_value for plain dicts (what moto's DynamoDB responses are made of): the
    keys the picker's alias providers try depend only on the member and its parent shape there (a
    dict has no Meta and its class is always dict), so they are worked out once per member."""
    picker = self._value_picker
    if type(value) is not dict or not isinstance(picker, AttributePicker) or picker.response_transformers:
        return _original_get_value(self, value, key, shape)
    parent = getattr(shape, "parent", None)
    serialized_name = shape.serialization.get("name") if shape is not None else None
    cache_key = (
        type(picker),
        key,
        getattr(shape, "name", None),
        getattr(shape, "type_name", None),
        serialized_name,
        id(parent),
    )
    keys = _possible_keys.get(cache_key)
    if keys is None:
        context = AttributePickerContext(obj=value, key=key, shape=shape)
        keys = tuple(picker.get_possible_keys(context))
        _possible_keys[cache_key] = keys
    for candidate in keys:
        found = (
            value.get(candidate, MISSING)
            if "." not in candidate
            else moto_get_value(value, candidate, MISSING)
        )
        if found is not MISSING:
            return found
    return None


@contextlib.contextmanager
def fast_moto() -> Iterator[None]:
    patches = [
        (Item, "__init__", _item_init),
        (ResponseSerializer, "get_value", _serializer_get_value),
        (MotoTable, "query", _query),
        (MotoTable, "all_items", _all_items),
        (MotoTable, "put_item", _put),
        (MotoTable, "delete_item", _delete),
        (DynamoDBBackend, "update_item", _update),
    ]
    back_up_tables_once_per_transaction()  # installed for the process, as tests/conftest.py does
    saved = [(owner, name, getattr(owner, name)) for owner, name, _ in patches]
    for owner, name, value in patches:
        setattr(owner, name, value)
    try:
        yield
    finally:
        for owner, name, value in saved:
            setattr(owner, name, value)
        _index_cache.clear()
        _possible_keys.clear()


# The table and the package's cached state --------------------------------------------------------


def forget_built_services() -> None:
    """As the tests do (tests/support/moto_table.py), and the authorizer's cached keys too."""
    forget_test_services()
    authorizer.forget_cached_keys()


def create_table(name: str, stream: bool = True) -> None:
    definition = table_definition(name)
    if not stream:
        definition.pop("StreamSpecification", None)
    boto3.client("dynamodb", region_name=REGION).create_table(**definition)


def moto_table(name: str) -> MotoTable:
    return dynamodb_backends[DEFAULT_ACCOUNT_ID][REGION].get_table(name)


@contextlib.contextmanager
def mocked_aws(stream: bool = True, fast: bool = True) -> Iterator[str]:
    """moto with the table of template.yaml (named as the functions' TABLE_NAME); yields its name."""
    table_name = get_settings().table_name
    with contextlib.ExitStack() as stack:
        stack.enter_context(mock_aws())
        if fast:
            stack.enter_context(fast_moto())
        create_table(table_name, stream=stream)
        create_event_and_webhook_resources()
        forget_built_services()
        try:
            yield table_name
        finally:
            forget_built_services()


# Output of the functions -------------------------------------------------------------------------


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """The functions' logs and EMF metrics go nowhere (they would swamp the report); they are still
    formatted and written, so their cost stays in the timings."""
    sink = open(os.devnull, "w")  # noqa: SIM115 - closed below
    handler = logger.registered_handler
    stream_handler = handler if hasattr(handler, "setStream") else None
    previous = stream_handler.setStream(sink) if stream_handler is not None else None
    try:
        with contextlib.redirect_stdout(sink):
            yield
    finally:
        if stream_handler is not None and previous is not None:
            stream_handler.setStream(previous)
        sink.close()
