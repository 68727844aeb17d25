"""Customers in the table: who a tenant's tickets are created for, by their externalId."""

from __future__ import annotations

from typing import Any, cast

from tickets import keys
from tickets.keys import Entity
from tickets.models.domain import Customer
from tickets.store import items
from tickets.store.items import Item
from tickets.store.table import Table, plain_key, typed_key


class CustomerStore(Table):
    def upsert_customer(self, customer: Customer) -> tuple[Customer, bool]:
        """Create the customer, or replace its details keeping its id and createdAt (one round trip).
        True when it was created."""
        values = items.customer_attributes(customer)
        kept = {"id", "createdAt"}
        replaced = {
            name: values.get(name)
            for name in ("email", "name", "metadata", "updatedAt", "externalId", "changedBy")
        }
        names = {f"#{name}": name for name in (*kept, *replaced, "entity", "tenantId")}
        typed = items.serialize(
            {f":{name}": value for name, value in replaced.items()}
            | {":id": customer.id, ":createdAt": values["createdAt"], ":entity": Entity.CUSTOMER}
            | {":tenantId": customer.tenant_id}
        )
        sets = [f"#{name} = :{name}" for name, value in replaced.items() if value is not None]
        sets += ["#id = if_not_exists(#id, :id)", "#createdAt = if_not_exists(#createdAt, :createdAt)"]
        sets += ["#entity = :entity", "#tenantId = :tenantId"]
        removes = [f"#{name}" for name, value in replaced.items() if value is None]
        expression = "SET " + ", ".join(sets) + (" REMOVE " + ", ".join(removes) if removes else "")
        response = self._call(
            self._client.update_item,
            TableName=self._table,
            Key=typed_key(keys.customer_key(customer.tenant_id, customer.external_id)),
            UpdateExpression=expression,
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=typed,
            ReturnValues="ALL_NEW",
        )
        stored = items.customer_from_item(response["Attributes"])
        return stored, stored.id == customer.id

    def add_customer(self, customer: Customer) -> tuple[Customer, bool]:
        """Create the customer unless it exists: an existing one is returned as it is, never changed.
        True when it was created."""
        try:
            self._call(
                self._client.put_item,
                TableName=self._table,
                Item=items.customer_item(customer),
                ConditionExpression="attribute_not_exists(PK)",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except self._client.exceptions.ConditionalCheckFailedException as error:
            old = cast("Item | None", dict(error.response).get("Item"))  # the customer there already
            existing = (
                items.customer_from_item(old)
                if old
                else self.get_customer(customer.tenant_id, customer.external_id)
            )
            if existing is None:  # customers are never deleted: a failed condition means one is there
                raise
            return existing, False
        return customer, True

    def get_customer(self, tenant_id: str, external_id: str) -> Customer | None:
        item = self._get(keys.customer_key(tenant_id, external_id))
        return items.customer_from_item(item) if item else None

    def list_customers(
        self, tenant_id: str, start: dict[str, str] | None, limit: int
    ) -> tuple[list[Customer], dict[str, str] | None]:
        """A page of customers by externalId; the key to resume after, when there are more."""
        partition, prefix = keys.customers_partition(tenant_id)
        request: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "PK = :pk AND begins_with(SK, :prefix)",
            "ExpressionAttributeValues": {":pk": {"S": partition}, ":prefix": {"S": prefix}},
            "Limit": limit + 1,
        }
        if start:
            request["ExclusiveStartKey"] = typed_key(start)
        found = self._call(self._client.query, **request)["Items"]
        page = found[:limit]
        resume = plain_key({"PK": page[-1]["PK"], "SK": page[-1]["SK"]}) if len(found) > limit else None
        return [items.customer_from_item(item) for item in page], resume

    def put_customer(self, customer: Customer) -> None:
        self._call(self._client.put_item, TableName=self._table, Item=items.customer_item(customer))
