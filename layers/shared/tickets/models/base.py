"""Base models: camelCase on the wire, snake_case in Python."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel


class CamelModel(BaseModel):
    """Domain and response models: camelCase JSON, built from stored items or by the logic.

    Every model defers building its validator to its first use: a function builds the few its route
    needs, not every model of the package during its cold start (docs/benchmarks.md, cold start)."""

    model_config = ConfigDict(defer_build=True, alias_generator=to_camel, populate_by_name=True, frozen=True)


class RequestModel(BaseModel):
    """Request bodies: camelCase only, unknown fields rejected, no type coercion from strings."""

    model_config = ConfigDict(
        defer_build=True, alias_generator=to_camel, extra="forbid", strict=False, frozen=True
    )
