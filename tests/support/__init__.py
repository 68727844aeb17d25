"""Test helpers: the table from template.yaml, API Gateway events, handlers and data factories."""
