"""Tenants in the table: their settings (plan, sellers, usage key) and their ticket counters."""

from __future__ import annotations

from typing import Any, cast

from tickets import keys
from tickets.models.domain import Tenant, TenantPlan
from tickets.store import items
from tickets.store.items import Item
from tickets.store.table import Table, typed_key


class QuotaExhausted(Exception):
    def __init__(self, tenant: Tenant) -> None:
        super().__init__(tenant.id)
        self.tenant = tenant


class TenantStore(Table):
    def create_tenant(self, tenant: Tenant) -> bool:
        """False when the tenant exists already: it is left as it is (its ticket sequence above all)."""
        try:
            self._call(
                self._client.put_item,
                TableName=self._table,
                Item=items.tenant_item(tenant),
                ConditionExpression="attribute_not_exists(PK)",
            )
        except self._client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def get_tenant(self, tenant_id: str) -> Tenant | None:
        item = self._get(keys.tenant_key(tenant_id))
        return items.tenant_from_item(item) if item else None

    def set_usage_key(self, tenant_id: str, key_id: str, value: str) -> None:
        self._call(
            self._client.update_item,
            TableName=self._table,
            Key=typed_key(keys.tenant_key(tenant_id)),
            UpdateExpression="SET usageKeyId = :id, usageKey = :value",
            ConditionExpression="attribute_exists(PK)",
            ExpressionAttributeValues={":id": {"S": key_id}, ":value": {"S": value}},
        )

    def set_plan(self, tenant_id: str, plan: TenantPlan) -> Tenant | None:
        return self._set_tenant_attribute(tenant_id, "plan", items.attributes_of(plan))

    def set_channel_sellers(self, tenant_id: str, seller_ids: list[str]) -> Tenant | None:
        return self._set_tenant_attribute(tenant_id, "channelSellerIds", seller_ids)

    def set_admin_emails(self, tenant_id: str, emails: list[str]) -> Tenant | None:
        return self._set_tenant_attribute(tenant_id, "adminEmails", emails)

    def _set_tenant_attribute(self, tenant_id: str, name: str, value: Any) -> Tenant | None:
        """The tenant with one attribute replaced; None when there is no such tenant."""
        try:
            response = self._call(
                self._client.update_item,
                TableName=self._table,
                Key=typed_key(keys.tenant_key(tenant_id)),
                UpdateExpression="SET #name = :value",
                ConditionExpression="attribute_exists(PK)",
                ExpressionAttributeNames={"#name": name},
                ExpressionAttributeValues={":value": items.serialize({name: value})[name]},
                ReturnValues="ALL_NEW",
            )
        except self._client.exceptions.ConditionalCheckFailedException:
            return None
        return items.tenant_from_item(response["Attributes"])

    def allocate_ticket_number(self, tenant_id: str, period: str) -> tuple[Tenant, int] | None:
        """The tenant and its next ticket number, counting the ticket against the period's quota, in
        one conditional update (exact under any concurrency). None for an unknown tenant; raises
        QuotaExhausted when the tenant's plan allows no more tickets this period."""
        try:
            response = self._call(
                self._client.update_item,
                TableName=self._table,
                Key=typed_key(keys.tenant_key(tenant_id)),
                UpdateExpression="SET #month = if_not_exists(#month, :zero) + :one ADD ticketSequence :one",
                ConditionExpression=(
                    "attribute_exists(PK) AND (attribute_not_exists(#plan.#quota)"
                    " OR (attribute_not_exists(#month) AND #plan.#quota > :zero) OR #month < #plan.#quota)"
                ),
                ExpressionAttributeNames={
                    "#month": keys.monthly_tickets_attribute(period),
                    "#plan": "plan",
                    "#quota": "monthlyTicketQuota",
                },
                ExpressionAttributeValues={":one": {"N": "1"}, ":zero": {"N": "0"}},
                ReturnValues="ALL_NEW",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except self._client.exceptions.ConditionalCheckFailedException as error:
            old = cast("Item | None", dict(error.response).get("Item"))  # the tenant as it was, if any
            if old:
                raise QuotaExhausted(items.tenant_from_item(old)) from None
            return None
        attributes = response["Attributes"]
        return items.tenant_from_item(attributes), int(attributes["ticketSequence"]["N"])

    def release_quota(self, tenant_id: str, period: str) -> None:
        """Give back a ticket counted against the quota whose creation then failed."""
        self._call(
            self._client.update_item,
            TableName=self._table,
            Key=typed_key(keys.tenant_key(tenant_id)),
            UpdateExpression="ADD #month :minus",
            ConditionExpression="#month > :zero",
            ExpressionAttributeNames={"#month": keys.monthly_tickets_attribute(period)},
            ExpressionAttributeValues={":minus": {"N": "-1"}, ":zero": {"N": "0"}},
        )
