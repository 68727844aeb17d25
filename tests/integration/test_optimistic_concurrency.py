"""ETag and If-Match: a client changes the ticket it read, or is told it changed (412)."""

from __future__ import annotations

import pytest

from tests.support.assertions import assert_error
from tests.support.handlers import Api

TICKET = {"customerExternalId": "user_42", "subject": "Invoice total is wrong"}


@pytest.fixture
def ticket_id(api: Api) -> str:
    return str(api.create(TICKET).data["id"])


def test_every_ticket_response_carries_its_version_as_etag(api: Api) -> None:
    created = api.create(TICKET)
    assert created.headers["ETag"] == '"1"'
    ticket_id = created.data["id"]
    assert api.get(ticket_id).headers["ETag"] == '"1"'
    updated = api.update(ticket_id, {"priority": "HIGH"})
    assert updated.headers["ETag"] == f'"{updated.data["version"]}"' == '"2"'
    replied = api.reply(ticket_id, {"message": "Checking the invoice"})
    assert replied.headers["ETag"] == '"3"'


@pytest.mark.parametrize("if_match", ['"1"', 'W/"1"', "1"], ids=["strong", "weak", "bare"])
def test_a_write_with_the_current_etag_is_made(api: Api, ticket_id: str, if_match: str) -> None:
    response = api.update(ticket_id, {"status": "ON_HOLD"}, headers={"If-Match": if_match})
    assert response.status == 200
    assert response.data["status"] == "ON_HOLD"


def test_a_patch_with_a_stale_etag_is_412_with_the_current_version_and_changes_nothing(
    api: Api, ticket_id: str
) -> None:
    # Given someone else changed the ticket after we read version 1
    api.update(ticket_id, {"priority": "URGENT"})
    before = api.get(ticket_id).data
    # When we write with If-Match of what we read
    response = api.update(ticket_id, {"priority": "LOW"}, headers={"If-Match": '"1"'})
    # Then it is refused, naming the current version, and the ticket is as the other writer left it
    assert_error(response, 412, "PRECONDITION_FAILED", "If-Match")
    assert response.headers["ETag"] == '"2"'
    assert api.get(ticket_id).data == before


def test_a_reply_with_a_stale_etag_adds_no_message(api: Api, ticket_id: str) -> None:
    api.update(ticket_id, {"priority": "URGENT"})
    response = api.reply(ticket_id, {"message": "Late answer"}, headers={"If-Match": '"1"'})
    assert_error(response, 412, "PRECONDITION_FAILED", "If-Match")
    assert api.get(ticket_id).data["messageCount"] == 0


@pytest.mark.parametrize(
    "if_match", ["*", '"1", "2"', 'W/"7", "1"'], ids=["star (any current version)", "a list", "a list, weak"]
)
def test_if_match_star_or_a_list_holding_the_current_etag_lets_the_write_through(
    api: Api, ticket_id: str, if_match: str
) -> None:
    # Given a ticket at version 1
    # When it is patched with If-Match * or with a list of ETags that holds "1" (RFC 9110)
    response = api.update(ticket_id, {"priority": "LOW"}, headers={"If-Match": if_match})
    # Then the write is made
    assert response.status == 200, response.json
    assert response.headers["ETag"] == '"2"'


def test_if_match_star_on_a_ticket_that_does_not_exist_is_404(api: Api) -> None:
    response = api.update("INV-999", {"priority": "LOW"}, headers={"If-Match": "*"})
    assert_error(response, 404, "TICKET_NOT_FOUND")


def test_an_if_match_list_without_the_current_etag_is_412(api: Api, ticket_id: str) -> None:
    response = api.update(ticket_id, {"priority": "LOW"}, headers={"If-Match": '"2", "3"'})
    assert_error(response, 412, "PRECONDITION_FAILED", "If-Match")
    assert api.get(ticket_id).data["version"] == 1


@pytest.mark.parametrize(
    "if_match",
    ['"abc"', "", '"1",, "2"', "**"],
    ids=["not-a-number", "empty", "empty list item", "two stars"],
)
def test_an_if_match_that_is_not_a_ticket_etag_is_400(api: Api, ticket_id: str, if_match: str) -> None:
    response = api.update(ticket_id, {"priority": "LOW"}, headers={"If-Match": if_match})
    assert_error(response, 400, "VALIDATION_ERROR", "If-Match")
    assert api.get(ticket_id).data["version"] == 1
