"""Pydantic models: enums, domain entities, request bodies and response envelopes."""
