"""The customers API: upsert by the caller's own id, read, page; roles and tenant isolation."""

from __future__ import annotations

import pytest

from tests.support.assertions import assert_error
from tests.support.events import load_event
from tests.support.factories import Seeder
from tests.support.handlers import Api, invoke


def test_put_creates_a_customer_then_replaces_its_details_keeping_its_id(api: Api) -> None:
    # When a new customer is put
    created = api.put_customer(
        "cus_9000", {"email": "ann@example.com", "name": "Ann", "metadata": {"tier": "gold"}}
    )
    # Then it is created (201) with an id of ours
    assert created.status == 201, created.json
    assert created.data["externalId"] == "cus_9000"
    assert created.data["metadata"] == {"tier": "gold"}
    # When it is put again with other details
    replaced = api.put_customer("cus_9000", {"email": "ann@corp.example"})
    # Then it is the same customer (200, same id and createdAt), its details replaced (name and metadata gone)
    assert replaced.status == 200
    assert replaced.data["id"] == created.data["id"]
    assert replaced.data["createdAt"] == created.data["createdAt"]
    assert replaced.data["email"] == "ann@corp.example"
    assert replaced.data["name"] is None
    assert replaced.data["metadata"] is None
    assert api.get_customer("cus_9000").data == replaced.data


def test_a_customer_put_through_the_api_can_have_tickets(api: Api) -> None:
    api.put_customer("cus_new", {"email": "new@example.com", "name": "New Person"})
    ticket = api.create({"customerExternalId": "cus_new", "subject": "First order missing"})
    assert ticket.status == 201
    assert ticket.data["customer"]["email"] == "new@example.com"


def test_the_events_file_upserts_the_seed_customer(api: Api) -> None:
    response = invoke("customers", load_event("customers_put.json"))
    assert response.status == 200  # user_42 is seeded
    assert response.data["metadata"] == {"plan": "pro", "signupSource": "checkout"}


def test_external_ids_with_reserved_characters_round_trip(api: Api) -> None:
    external_id = "shop:4711 user+42@example.com?x=1&y=#2%"
    assert api.put_customer(external_id, {"name": "Encoded"}).status == 201
    got = api.get_customer(external_id)
    assert got.status == 200
    assert got.data["externalId"] == external_id


def test_an_unknown_customer_is_404_naming_the_path_parameter(api: Api) -> None:
    response = api.get_customer("nobody")
    assert_error(response, 404, "CUSTOMER_NOT_FOUND", "externalId")
    assert response.error_fields() == {"externalId"}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"email": "a@b.c", "phone": "+49"}, "phone"),
        ({"name": "x" * 257}, "name"),
        ({"name": "line\nbreak"}, "name"),
        ({"metadata": {"a": {"b": {"c": {"d": {"e": {"f": 1}}}}}}}, "metadata"),
        ({"metadata": "text"}, "metadata"),
    ],
    ids=[
        "bad-email",
        "unknown-field",
        "long-name",
        "newline-in-name",
        "deep-metadata",
        "metadata-not-object",
    ],
)
def test_invalid_details_are_400_and_write_nothing(api: Api, body: dict[str, object], field: str) -> None:
    assert_error(api.put_customer("cus_bad", body), 400, "VALIDATION_ERROR", field)
    assert api.get_customer("cus_bad").status == 404


def test_an_external_id_over_256_characters_is_400(api: Api) -> None:
    assert_error(api.put_customer("c" * 257, {"name": "Long"}), 400, "VALIDATION_ERROR", "externalId")


def test_listing_pages_through_every_customer_once(api: Api) -> None:
    # Given 7 customers besides the seeded user_42
    for n in range(7):
        api.put_customer(f"cus_{n:02d}", {"name": f"Customer {n}"})
    # When paging 3 at a time
    seen: list[str] = []
    cursor = None
    while True:
        page = api.list_customers(limit="3", **({"cursor": cursor} if cursor else {}))
        assert page.status == 200
        seen.extend(customer["externalId"] for customer in page.data)
        cursor = page.json["meta"]["nextCursor"]
        if cursor is None:
            break
    # Then each came once, in externalId order
    assert seen == sorted([f"cus_{n:02d}" for n in range(7)] + ["user_42"])


def test_an_agent_key_reads_customers_but_may_not_change_them(api: Api) -> None:
    agent = Api("acme", role="agent", agent_id="agent_n1")
    assert agent.get_customer("user_42").status == 200
    assert_error(agent.put_customer("user_42", {"name": "Changed"}), 403, "FORBIDDEN")
    assert api.get_customer("user_42").data["name"] == "John Doe"


def test_an_integration_key_may_upsert_customers(api: Api) -> None:
    assert Api("acme", role="integration").put_customer("cus_int", {"name": "From billing"}).status == 201


def test_another_tenants_customers_do_not_exist_for_this_tenant(api: Api, seed: Seeder) -> None:
    seed.tenant("globex", "GLX")
    globex = Api("globex")
    api.put_customer("acme_only", {"name": "Acme's"})
    assert_error(globex.get_customer("acme_only"), 404, "CUSTOMER_NOT_FOUND")
    assert globex.list_customers().data == []
    # The same externalId in another tenant is another customer
    assert globex.put_customer("user_42", {"name": "Globex's user 42"}).status == 201
    assert api.get_customer("user_42").data["name"] == "John Doe"
    # A cursor of one tenant is refused to another
    for n in range(3):
        api.put_customer(f"cus_{n}", {"name": "x"})
    cursor = api.list_customers(limit="1").json["meta"]["nextCursor"]
    assert_error(globex.list_customers(limit="1", cursor=cursor), 400, "VALIDATION_ERROR", "cursor")
