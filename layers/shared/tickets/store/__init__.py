"""Data access: entities to and from DynamoDB items, queries and transactions."""
