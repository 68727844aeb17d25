"""A tenant's monthly ticket quota: exact, even under concurrent creates; replays never count."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest

from tests.support.assertions import assert_error
from tests.support.factories import Seeder
from tests.support.handlers import Api
from tickets import admin
from tickets.api.services import ticket_service
from tickets.errors import PlanLimitReached
from tickets.logic.access import Caller
from tickets.models.domain import TenantPlan
from tickets.models.enums import Role
from tickets.models.requests import CreateTicketRequest

TICKET = {"customerExternalId": "user_42", "subject": "Card declined"}


@pytest.fixture
def limited(seed: Seeder) -> Api:
    """Tenant 'capped' (prefix CAP) with a plan of 5 tickets a month."""
    seed.tenant("capped", "CAP")
    seed.customer("capped")
    assert seed.tenants.set_plan("capped", TenantPlan(monthly_ticket_quota=5)) is not None
    return Api("capped")


def test_the_ticket_past_the_quota_is_refused_and_nothing_is_written(limited: Api) -> None:
    # Given the five tickets the plan allows this month
    for n in range(5):
        assert limited.create(TICKET | {"subject": f"Ticket {n}"}).status == 201
    # When a sixth is created
    refused = limited.create(TICKET)
    # Then it is a 403 PLAN_LIMIT_REACHED, and there are still five tickets
    assert_error(refused, 403, "PLAN_LIMIT_REACHED")
    assert limited.list().json["stats"]["total"] == 5


@pytest.mark.usefixtures("atomic_requests")
def test_parallel_creates_past_the_quota_create_exactly_what_is_left(limited: Api) -> None:
    # Given 2 of the 5 tickets used
    for n in range(2):
        assert limited.create(TICKET | {"subject": f"Early {n}"}).status == 201
    caller = Caller(tenant_id="capped", role=Role.INTEGRATION, key_id="key_race")

    def create(n: int) -> str:
        request = CreateTicketRequest.model_validate(TICKET | {"subject": f"Race {n}"})
        try:
            return ticket_service().create_ticket(caller, request)[0].ticket_number
        except PlanLimitReached:
            return "refused"

    # When 20 creates race for the 3 left
    with ThreadPoolExecutor(max_workers=10) as pool:
        outcomes = list(pool.map(create, range(20)))
    # Then exactly 3 were created, numbered 3 to 5, and 17 refused
    assert sorted(outcomes) == ["CAP-3", "CAP-4", "CAP-5"] + ["refused"] * 17
    listed = limited.list(limit="100")
    assert listed.json["stats"]["total"] == 5
    assert sorted(ticket["ticketNumber"] for ticket in listed.data) == [f"CAP-{n}" for n in range(1, 6)]


def test_a_replay_of_an_existing_external_id_is_answered_even_when_the_quota_is_used_up(limited: Api) -> None:
    first = limited.create(TICKET | {"externalId": "order-1"})
    for n in range(4):
        limited.create(TICKET | {"subject": f"More {n}"})
    replay = limited.create(TICKET | {"externalId": "order-1"})
    assert replay.status == 200
    assert replay.data["id"] == first.data["id"]


def test_the_quota_starts_again_next_month(limited: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    for n in range(5):
        limited.create(TICKET | {"subject": f"November {n}"})
    assert limited.create(TICKET).status == 403
    monkeypatch.setattr("tickets.logic.service.utc_now", lambda: datetime(2099, 1, 1, tzinfo=UTC))
    assert limited.create(TICKET | {"subject": "January"}).status == 201


def test_an_admin_can_lift_the_limit(limited: Api, table: str) -> None:
    for n in range(5):
        limited.create(TICKET | {"subject": f"Ticket {n}"})
    assert admin.main(["--table", table, "set-plan", "--tenant", "capped"]) == 0
    assert limited.create(TICKET).status == 201


def test_a_quota_of_zero_allows_no_ticket(seed: Seeder) -> None:
    seed.tenant("frozen", "FRZ")
    seed.customer("frozen")
    seed.tenants.set_plan("frozen", TenantPlan(monthly_ticket_quota=0))
    assert_error(Api("frozen").create(TICKET), 403, "PLAN_LIMIT_REACHED")
