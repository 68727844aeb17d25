"""Read and write request units, computed from the items themselves (moto's ConsumedCapacity is a
constant). The rules are DynamoDB's, as its developer guide states them:

item size      sum over attributes of len(name in UTF-8) + size of the value:
               S: UTF-8 bytes; N: 1 + ceil(significant digits / 2); B: bytes; BOOL, NULL: 1;
               SS/NS/BS: sum of the elements; L/M: 3 + 1 per element + elements (M: + key names)
write          ceil(size / 1 KB) per item, of the larger of the old and the new item (Put, Update),
               of the deleted item (Delete); x2 inside TransactWriteItems
GSI1 write     the item has GSI1PK and GSI1SK (projection ALL: the index entry is the whole item):
               ceil(size / 1 KB) to put or update the entry, + ceil(old size / 1 KB) to delete the old
               entry when the GSI key changed or went away; not doubled in a transaction
read           GetItem: ceil(size / 4 KB), at least 1; BatchGetItem: the same per key;
               Query: ceil(sum of the sizes of the items read, before any FilterExpression / 4 KB),
               at least 1; eventually consistent reads (and every GSI read) cost half
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

KB = 1024
WRITE_UNIT = KB
READ_UNIT = 4 * KB
GSI_KEYS = ("GSI1PK", "GSI1SK")


def _number_size(text: str) -> int:
    digits = str(Decimal(text)).lstrip("-").replace(".", "").split("E")[0].strip("0") or "0"
    return 1 + math.ceil(len(digits) / 2)


def _string_size(text: str) -> int:
    return len(text.encode("utf-8"))


_SCALAR_SIZES: dict[str, Callable[[Any], int]] = {
    "S": _string_size,
    "N": _number_size,
    "B": len,
    "BOOL": lambda _: 1,
    "NULL": lambda _: 1,
    "SS": lambda elements: sum(_string_size(element) for element in elements),
    "NS": lambda elements: sum(_number_size(element) for element in elements),
    "BS": lambda elements: sum(len(element) for element in elements),
}


def value_size(value: dict[str, Any]) -> int:
    """Size of one typed attribute value ({"S": "..."}, {"N": "1"}, {"M": {...}}...)."""
    (kind, content), *_ = value.items()
    if kind == "L":
        return 3 + sum(1 + value_size(element) for element in content)
    if kind == "M":
        return 3 + sum(1 + _string_size(name) + value_size(inner) for name, inner in content.items())
    if kind not in _SCALAR_SIZES:
        raise ValueError(f"unknown DynamoDB type {kind}")
    return _SCALAR_SIZES[kind](content)


def item_size(item: dict[str, Any] | None) -> int:
    if not item:
        return 0
    return sum(len(name.encode("utf-8")) + value_size(value) for name, value in item.items())


def write_units(size: int) -> int:
    return max(1, math.ceil(size / WRITE_UNIT))


def read_units(size: int) -> int:
    return max(1, math.ceil(size / READ_UNIT))


@dataclass
class Units:
    """Request units of one or more calls: table writes, GSI1 writes, reads (RRU, halves allowed)."""

    table_writes: float = 0
    index_writes: float = 0
    reads: float = 0

    @property
    def writes(self) -> float:
        return self.table_writes + self.index_writes

    def __add__(self, other: Units) -> Units:
        return Units(
            self.table_writes + other.table_writes,
            self.index_writes + other.index_writes,
            self.reads + other.reads,
        )

    def scaled(self, factor: float) -> Units:
        return Units(self.table_writes * factor, self.index_writes * factor, self.reads * factor)


def total(units: Iterable[Units]) -> Units:
    result = Units()
    for unit in units:
        result = result + unit
    return result


def _has_index_entry(item: dict[str, Any] | None) -> bool:
    return bool(item) and all(name in item for name in GSI_KEYS)  # type: ignore[operator]


def _index_key(item: dict[str, Any]) -> tuple[str, str]:
    return item["GSI1PK"]["S"], item["GSI1SK"]["S"]


def write_cost(old: dict[str, Any] | None, new: dict[str, Any] | None, transactional: bool) -> Units:
    """One item written: new is None for a delete, old None when it did not exist."""
    base = write_units(max(item_size(old), item_size(new)))
    table = base * (2 if transactional else 1)
    index = 0
    if _has_index_entry(new):
        index += write_units(item_size(new))
        if _has_index_entry(old) and _index_key(old) != _index_key(new):  # type: ignore[arg-type]
            index += write_units(item_size(old))
    elif _has_index_entry(old):
        index += write_units(item_size(old))
    return Units(table_writes=table, index_writes=index)


def read_cost(sizes: Iterable[int], consistent: bool, per_item: bool) -> float:
    """Query (per_item=False): the sizes add up, then round; GetItem / BatchGetItem: each rounds."""
    sizes = list(sizes)
    units = sum(read_units(size) for size in sizes) if per_item else read_units(sum(sizes))
    return units if consistent else units / 2
