"""The DynamoDB table of template.yaml, created in moto: one source of truth for keys and indexes."""

from __future__ import annotations

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
