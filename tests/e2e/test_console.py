"""The staff console in a real browser (headless Chromium through Selenium) against the deployed
stack: signing in, the queue, a ticket worked end to end, the live updates, and the API reference.
Screenshots go to .local/artifacts/console/ (docs/images/ keeps a few for the README)."""

from __future__ import annotations

import random
import re
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from tests.e2e.conftest import Client, Stack
from tests.support import browser
from tests.support.browser import Console
from tests.support.documents import SUPPORTDESK_EXAMPLE

if reason := browser.missing():
    # Only where the packages could not be installed: `make browser` (run by `make e2e`) installs them.
    pytest.skip(f"No browser for the console's tests: {reason}", allow_module_level=True)


@pytest.fixture(scope="module")
def driver() -> Iterator[Any]:
    with browser.chromium() as chromium:
        yield chromium


@pytest.fixture
def console(driver: Any, stack: Stack) -> Iterator[Console]:
    page = Console(driver, f"{stack.api_url}/console/")
    driver.set_window_size(1280, 900)
    page.open()
    yield page
    page.run("sessionStorage.clear()")


@pytest.fixture
def integration(stack: Stack) -> Client:
    return Client(stack.api_url, stack.keys["integration"])


# What customers write about, each made unique by its order number: rows are found by their subject.
SUBJECTS = (
    "Card declined on order",
    "Parcel stuck in customs, order",
    "Refund not received for order",
    "Wrong size delivered, order",
)


NewTicket = Callable[..., dict[str, Any]]


@pytest.fixture
def new_ticket(integration: Client, api: Client, run_tag: str) -> Iterator[NewTicket]:
    """Tickets made by an integration for one test, closed after it: no agent is left holding them for
    the tests that follow, which rely on automatic assignment."""
    made: list[str] = []

    def make(**fields: Any) -> dict[str, Any]:
        subject = f"{random.choice(SUBJECTS)} #{uuid.uuid4().int % 10**8:08d}"
        created = integration.create(SUPPORTDESK_EXAMPLE | {"subject": subject, "tagIds": [run_tag]} | fields)
        assert created.status == 201, created.json
        made.append(created.data["id"])
        return created.data  # type: ignore[no-any-return]

    yield make
    for ticket_id in made:
        api.update(ticket_id, {"status": "CLOSED"})


def test_signing_in_shows_the_queue_with_its_counts_and_keeps_the_key_out_of_urls_and_cookies(
    console: Console, stack: Stack
) -> None:
    # Given the sign-in page, When an admin signs in with the API key
    console.enter(stack.api_key)
    # Then the queue shows, with the stats header, and the live connection opens
    assert console.by_id("who").text.startswith("Admin of ")
    assert console.by_id("stat-open").text.isdigit()
    assert console.by_id("stat-needs-response").text.isdigit()
    assert console.by_id("stat-unassigned").text.isdigit()
    console.live()
    # And the key is in this tab's sessionStorage only: not in the address, a cookie or localStorage
    assert stack.api_key not in console.driver.current_url
    assert console.run("return document.cookie") == ""
    assert console.run("return localStorage.length") == 0
    assert console.run("return sessionStorage.getItem('tickets.console.apiKey')") == stack.api_key


def test_a_bad_key_is_refused_with_a_clear_message(console: Console) -> None:
    console.sign_in("tk_live_this-key-does-not-exist-anywhere-0000000000")
    error = console.visible("sign-in-error")
    assert error.text == "That API key was not accepted."
    assert not console.by_id("queue").is_displayed()
    assert console.run("return sessionStorage.length") == 0


def test_a_ticket_created_just_before_shows_in_the_queue_with_its_columns(
    console: Console, new_ticket: NewTicket, stack: Stack
) -> None:
    # Given a ticket an integration has just created
    ticket = new_ticket(priority="URGENT")
    # When an admin signs in
    console.enter(stack.api_key)
    # Then it is in the queue, newest first, with its number, subject, status, priority, customer,
    # age and who owes a reply
    number, subject, _status, priority, customer, age, owes, sla_due = console.cells(ticket["subject"])
    assert number == ticket["ticketNumber"]
    assert subject == ticket["subject"]
    assert priority == "Urgent"
    assert customer == "John Doe"
    assert age == "just now"
    assert owes == "We do"
    assert sla_due == "—"  # no SLA policy applies to it


def test_working_a_ticket_reply_internal_note_and_status_are_stored(
    console: Console, new_ticket: NewTicket, api: Client, stack: Stack
) -> None:
    ticket = new_ticket()
    console.enter(stack.api_key)
    # When the admin opens the ticket
    console.open_ticket(ticket["subject"])
    assert console.by_id("description-text").text == ticket["description"]
    # And replies, and adds an internal note
    console.reply("We are looking into the payment now.")
    console.reply("Card issuer says the hold clears tonight.", internal=True)
    # Then both are stored, in order, the note marked internal
    stored = api.get(ticket["id"]).data["messages"]
    assert [(message["message"], message["internal"]) for message in stored[-2:]] == [
        ("We are looking into the payment now.", False),
        ("Card issuer says the hold clears tonight.", True),
    ]
    shown = console.messages()
    assert "Internal note" in shown[-1].text
    assert "message-internal" in (shown[-1].get_attribute("class") or "")
    # When the status is changed
    console.choose("update-status", "ON_HOLD")
    assert console.save_changes() == "Saved."
    # Then it is stored, and the history shows the change
    assert api.get(ticket["id"]).data["status"] == "ON_HOLD"
    console.wait().until(lambda _: "ON_HOLD" in console.by_id("history").text)
    console.screenshot("ticket")


def test_a_ticket_created_by_another_client_appears_without_a_reload(
    console: Console, new_ticket: NewTicket, stack: Stack
) -> None:
    # Given the queue open and live
    console.enter(stack.api_key, live=True)
    console.run("window.loadedOnce = true")
    # When an integration creates a ticket
    ticket = new_ticket()
    # Then its row appears, with a notice, and the page was not reloaded
    console.row(ticket["subject"], seconds=30)
    console.wait().until(lambda _: any(ticket["ticketNumber"] in text for text in console.notices()))
    assert console.run("return window.loadedOnce") is True
    console.screenshot("queue")


def test_an_open_ticket_shows_the_customers_reply_as_it_arrives(
    console: Console, new_ticket: NewTicket, integration: Client, stack: Stack
) -> None:
    ticket = new_ticket()
    console.enter(stack.api_key, live=True)
    console.open_ticket(ticket["subject"])
    count = len(console.messages())
    # When the customer replies through the integration
    answer = integration.reply(ticket["id"], {"message": "Any news?", "from": {"role": "CUSTOMER"}})
    assert answer.status == 201, answer.json
    # Then the reply shows on the open page, with a notice
    console.wait(30).until(lambda _: len(console.messages()) > count)
    assert "Any news?" in console.messages()[-1].text
    assert any("customer replied" in text for text in console.notices())


def test_a_dropped_connection_reconnects_with_a_fresh_token(console: Console, stack: Stack) -> None:
    console.enter(stack.api_key, live=True)
    first = console.run("return state.socket.url")
    # When the connection drops
    console.run("state.socket.close()")
    # Then the console connects again, with another token
    console.wait().until(
        lambda _: console.run("return state.socket && state.socket.url") not in (None, first)
    )
    console.live()


def test_an_agent_sees_its_own_tickets_and_the_unassigned_queue(console: Console, stack: Stack) -> None:
    console.enter(stack.keys["agent"])
    assert console.by_id("who").text.startswith("Agent ")
    views = [option.text for option in console.by_id("filter-view").find_elements(By.TAG_NAME, "option")]
    assert views == ["My tickets", "Unassigned queue"]
    me = console.by_id("who").text.removeprefix("Agent ")
    agent = Client(stack.api_url, stack.keys["agent"])
    for number, *_ in console.rows():
        assert agent.get(number).data["assignedAgent"]["id"] == me
    console.choose("filter-view", "queue")
    console.wait().until(lambda _: console.by_id("page-number").text == "Page 1")


def test_a_ticket_assigned_to_the_agent_appears_in_its_queue_with_a_notice(
    console: Console, new_ticket: NewTicket, api: Client, stack: Stack
) -> None:
    # Given an agent's console on its own tickets, live
    console.enter(stack.keys["agent"], live=True)
    me = console.by_id("who").text.removeprefix("Agent ")
    # When an admin gives it a new ticket
    ticket = new_ticket()
    assert api.update(ticket["id"], {"assignedAgentId": me}).status == 200
    # Then the ticket shows in its queue without a reload, with a notice
    console.row(ticket["subject"], seconds=30)
    console.wait().until(
        lambda _: any(f"Assigned to you: {ticket['ticketNumber']}" in text for text in console.notices())
    )


def test_the_console_works_from_the_keyboard(console: Console, new_ticket: NewTicket, stack: Stack) -> None:
    ticket = new_ticket()
    # The key field has the focus on arrival; Enter signs in
    assert console.run("return document.activeElement.id") == "api-key"
    console.driver.switch_to.active_element.send_keys(stack.api_key, Keys.ENTER)
    console.signed_in()
    # A ticket opens from its link with Enter, and its title takes the focus
    console.row(ticket["subject"]).find_element(By.TAG_NAME, "a").send_keys(Keys.ENTER)
    console.wait().until(lambda _: console.run("return document.activeElement.id") == "ticket-title")
    assert ticket["subject"] in console.by_id("ticket-title").text


def test_filters_and_paging_follow_the_api(
    console: Console, new_ticket: NewTicket, stack: Stack, run_tag: str
) -> None:
    tickets = [new_ticket(priority="LOW") for _ in range(3)]
    console.enter(stack.api_key)
    # When the queue is narrowed to this run's tag, oldest first, one page of 25
    console.by_id("filter-tag").send_keys(run_tag)
    console.choose("filter-sort", "createdAt")
    console.apply_filters()
    # Then exactly this run's tickets show, in the order made
    console.wait().until(lambda _: len(console.rows()) == 3)
    assert [row[1] for row in console.rows()] == [ticket["subject"] for ticket in tickets]
    assert console.by_id("page-next").get_attribute("disabled") is not None


@pytest.fixture
def sla_department(api: Client) -> Iterator[str]:
    """A department of this test's own under an SLA policy (an URGENT first reply within the hour):
    other tests' tickets keep no clocks."""
    name = f"console-sla-{uuid.uuid4().hex[:8]}"
    policy = {
        "name": "An hour to answer",
        "targets": {"URGENT": {"firstResponseMinutes": 60, "resolutionMinutes": 480}},
        "appliesTo": {"department": name},
    }
    assert api.request("PUT", f"/v1/sla-policies/{name}", json=policy).status == 201
    yield name
    api.request("DELETE", f"/v1/sla-policies/{name}")


def test_what_is_due_shows_soonest_first_and_a_reply_meets_the_first_reply_target(
    console: Console, new_ticket: NewTicket, sla_department: str, stack: Stack, run_tag: str
) -> None:
    # Given an URGENT ticket under the policy, and one no policy applies to
    due = new_ticket(priority="URGENT", department=sla_department)
    new_ticket(priority="URGENT")
    console.enter(stack.api_key)
    # When the queue is narrowed to this run's tickets, what is due soonest first
    console.by_id("filter-tag").send_keys(run_tag)
    console.choose("filter-sort", "slaDueAt")
    console.apply_filters()
    # Then only the ticket with a clock running shows, due within the hour
    console.wait().until(lambda _: [row[1] for row in console.rows()] == [due["subject"]])
    assert re.fullmatch(r"in 5[89] min", console.cells(due["subject"])[7])
    # And it is not among the breached ones
    console.choose("filter-sla", "true")
    console.apply_filters()
    console.visible("queue-empty")
    console.choose("filter-sla", "")
    console.apply_filters()
    console.row(due["subject"])
    # And the ticket tells its targets
    console.open_ticket(due["subject"])
    facts = console.facts()
    assert facts["First reply (SLA)"].startswith("Due ")
    assert facts["Resolution (SLA)"].startswith("Due ")
    # When the admin answers, Then the first reply's target is met
    console.reply("We are on it: the payment is being retried.")
    console.wait().until(lambda _: console.facts()["First reply (SLA)"].startswith("Met "))
    assert not console.facts()["First reply (SLA)"].endswith("late")
    # When it is put on hold, Then its resolution clock is paused, with the time it has left
    console.choose("update-status", "ON_HOLD")
    assert console.save_changes() == "Saved."
    console.wait().until(lambda _: console.facts()["Resolution (SLA)"].startswith("Paused, "))
    assert re.fullmatch(r"Paused, 7 h left", console.facts()["Resolution (SLA)"])
    # And the queue, by newest first, says so
    console.by_id("back-to-queue").click()
    console.choose("filter-sort", "-createdAt")
    console.apply_filters()
    console.wait().until(lambda _: console.cells(due["subject"])[7] == "Paused")


def test_the_console_is_usable_at_a_phone_width(
    console: Console, new_ticket: NewTicket, stack: Stack
) -> None:
    ticket = new_ticket()
    console.driver.set_window_size(390, 844)
    console.enter(stack.api_key)
    console.row(ticket["subject"])
    # Nothing wider than the screen: no sideways scrolling
    assert console.run("return document.documentElement.scrollWidth <= window.innerWidth")
    console.open_ticket(ticket["subject"])
    assert console.run("return document.documentElement.scrollWidth <= window.innerWidth")
    console.screenshot("ticket-phone")


def test_the_api_reference_shows_every_route_from_our_own_files(driver: Any, stack: Stack) -> None:
    driver.set_window_size(1280, 900)
    driver.get(f"{stack.api_url}/docs/")
    page = Console(driver, driver.current_url)
    page.wait().until(lambda _: len(driver.find_elements(By.CSS_SELECTOR, ".opblock")) > 30)
    # Every file the page loaded came from this API: no CDN at run time
    loaded = page.run("return performance.getEntriesByType('resource').map(entry => entry.name)")
    assert loaded
    assert all(url.startswith(stack.api_url) for url in loaded), loaded
    # And "Try it out" calls this deployment
    assert stack.api_url in driver.find_element(By.CSS_SELECTOR, ".servers select").text
    page.screenshot("api-reference")
