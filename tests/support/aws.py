"""The DynamoDB table of template.yaml, created in moto: one source of truth for keys and indexes."""

from __future__ import annotations

import copy
from contextvars import ContextVar
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]


class _CloudFormationLoader(yaml.SafeLoader):
    """Reads !Ref, !Sub, !GetAtt... as plain values; only literal table properties are used."""


def _intrinsic(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return {suffix: loader.construct_scalar(node)}
    if isinstance(node, yaml.SequenceNode):
        return {suffix: loader.construct_sequence(node)}
    return {suffix: loader.construct_mapping(node)}  # type: ignore[arg-type]


_CloudFormationLoader.add_multi_constructor("!", _intrinsic)


def template() -> dict[str, Any]:
    with (ROOT / "template.yaml").open() as handle:
        return yaml.load(handle, Loader=_CloudFormationLoader)


def table_definition(table_name: str) -> dict[str, Any]:
    """CreateTable arguments from the TicketsTable resource of template.yaml."""
    properties = template()["Resources"]["TicketsTable"]["Properties"]
    definition = {
        "TableName": table_name,
        "AttributeDefinitions": properties["AttributeDefinitions"],
        "KeySchema": properties["KeySchema"],
        "BillingMode": properties["BillingMode"],
        "StreamSpecification": {"StreamEnabled": True, **properties["StreamSpecification"]},
    }
    if properties.get("GlobalSecondaryIndexes"):
        definition["GlobalSecondaryIndexes"] = properties["GlobalSecondaryIndexes"]
    return definition


_transaction_backups: ContextVar[dict[int, Any] | None] = ContextVar("transaction_backups", default=None)


class _TableBackups:
    """Stands in for the `copy` module inside moto's DynamoDB backend: during a transaction a table's
    backup is the one made for it beforehand; everything else is copied as before."""

    @staticmethod
    def deepcopy(value: Any, memo: dict[int, Any] | None = None) -> Any:
        backups = _transaction_backups.get()
        if backups is not None and id(value) in backups:
            return backups[id(value)]
        return copy.deepcopy(value, memo)


def _backup(table: Any, touched: list[dict[str, Any]]) -> Any:
    """What a rollback of a transaction needs: the table's item index as it is, and copies of the
    items the transaction may change in place (moto updates items in place) and of its stream."""
    from moto.dynamodb.models.dynamo_type import DynamoType

    backup = copy.copy(table)
    backup.items = copy.copy(table.items)
    for hash_key, ranges in table.items.items():
        backup.items[hash_key] = dict(ranges) if table.has_range_key else ranges
    for key in touched:
        hash_key = DynamoType(key[table.hash_key_attr])
        if table.has_range_key:
            range_key = DynamoType(key[table.range_key_attr])
            if range_key in backup.items.get(hash_key, {}):
                backup.items[hash_key][range_key] = copy.deepcopy(table.items[hash_key][range_key])
        elif hash_key in backup.items:
            backup.items[hash_key] = copy.deepcopy(table.items[hash_key])
    if table.stream_shard is not None:
        backup.stream_shard = copy.copy(table.stream_shard)
        backup.stream_shard.items = list(table.stream_shard.items)
        backup.stream_shard.table = backup
    return backup


def back_up_tables_once_per_transaction() -> None:
    """moto (5.2) backs up every table a transaction writes by deep-copying it, once per item: a
    ticket write (10+ items) copied the whole table, stream included, ten times over. The rollback
    only needs the items the transaction touches, which makes writes 10-50x faster in tests.
    Installed once per process; the rollback is exercised by every test of a refused write."""
    from moto.dynamodb import models

    backend = models.DynamoDBBackend
    if getattr(backend.transact_write_items, "backs_up_touched_items", False):
        return
    original = backend.transact_write_items

    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        touched: dict[str, list[dict[str, Any]]] = {}
        for entry in transact_items:
            operation, parameters = next(iter(entry.items()))
            key = parameters.get("Item") if operation == "Put" else parameters.get("Key")
            if parameters.get("TableName") in self.tables and key:
                touched.setdefault(parameters["TableName"], []).append(key)
        backups = {id(self.tables[name]): _backup(self.tables[name], keys) for name, keys in touched.items()}
        token = _transaction_backups.set(backups)
        try:
            original(self, transact_items)
        finally:
            _transaction_backups.reset(token)

    transact_write_items.backs_up_touched_items = True  # type: ignore[attr-defined]
    backend.transact_write_items = transact_write_items  # type: ignore[method-assign]
    models.copy = _TableBackups  # type: ignore[assignment]
