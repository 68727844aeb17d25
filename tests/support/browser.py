"""Headless Chromium for the console's browser tests: Debian's chromium and chromium-driver (`make
browser` installs them), driven by Selenium, and a page object for the console."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import Select, WebDriverWait

from tests.support.aws import ROOT

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
ARTIFACTS = ROOT / ".local" / "artifacts" / "console"
# Chromium's own traffic (updates, sync, Google's hosts) finds a closed network here, and a root
# session has no sandbox.
FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1280,900",
)
WAIT_SECONDS = 30  # a fresh stack starts each function once, slowly


def missing() -> str | None:
    """Why no browser can run here, or None."""
    for program in (CHROMIUM, CHROMEDRIVER):
        if not program.exists():
            return f"{program} is not installed (make browser installs Debian's chromium and chromium-driver)"
    return None


@contextmanager
def chromium() -> Iterator[webdriver.Chrome]:
    profile = tempfile.mkdtemp(prefix="console-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (*FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


class Console:
    """The console in one browser tab, as a person uses it: by its labels and its buttons."""

    def __init__(self, driver: webdriver.Chrome, url: str) -> None:
        self.driver = driver
        self.url = url

    def wait(self, seconds: float = WAIT_SECONDS) -> WebDriverWait[webdriver.Chrome]:
        return WebDriverWait(self.driver, seconds)

    def by_id(self, element_id: str) -> WebElement:
        return self.driver.find_element(By.ID, element_id)

    def visible(self, element_id: str) -> WebElement:
        return self.wait().until(expected_conditions.visibility_of_element_located((By.ID, element_id)))

    def open(self) -> None:
        self.driver.get(self.url)
        self.visible("sign-in")

    def sign_in(self, key: str) -> None:
        field = self.driver.find_element(By.XPATH, "//label[text()='API key']/following-sibling::input[1]")
        field.clear()
        field.send_keys(key)
        self.driver.find_element(By.CSS_SELECTOR, "#sign-in-form button[type=submit]").click()

    def signed_in(self) -> None:
        self.visible("queue")
        self.wait().until(
            lambda _: (
                self.by_id("ticket-rows").find_elements(By.TAG_NAME, "tr")
                or self.by_id("queue-empty").is_displayed()
            )
        )

    def enter(self, key: str, live: bool = False) -> None:
        """Signed in with `key`, the queue shown (and the live connection open, when asked)."""
        self.sign_in(key)
        self.signed_in()
        if live:
            self.live()

    def live(self) -> None:
        """Until the real-time connection is open."""
        self.wait().until(lambda _: self.by_id("live-status").get_attribute("data-state") == "open")

    def row(self, subject: str, seconds: float = WAIT_SECONDS) -> WebElement:
        """The queue's row of the ticket with this subject, once it shows."""
        path = f"//tbody[@id='ticket-rows']/tr[td[2][text()={_xpath_text(subject)}]]"
        return self.wait(seconds).until(expected_conditions.presence_of_element_located((By.XPATH, path)))

    def rows(self) -> list[list[str]]:
        """The queue's rows as shown, each its cells' text: read at once, since a live event may
        redraw the queue between two reads."""
        rows: list[list[str]] = self.run(
            "return [...document.querySelectorAll('#ticket-rows tr')]"
            ".map(row => [...row.cells].map(cell => cell.innerText))"
        )
        return rows

    def facts(self) -> dict[str, str]:
        """The open ticket's facts (name: value), read at once."""
        facts: dict[str, str] = self.run(
            "return Object.fromEntries([...document.querySelectorAll('#ticket-facts div')]"
            ".map(fact => [fact.querySelector('dt').innerText, fact.querySelector('dd').innerText]))"
        )
        return facts

    def cells(self, subject: str) -> list[str]:
        """The cells of the ticket's row, once it shows."""
        self.row(subject)
        return next(row for row in self.rows() if row[1] == subject)

    def open_ticket(self, subject: str) -> None:
        self.row(subject).find_element(By.TAG_NAME, "a").click()
        self.wait().until(lambda _: subject in self.by_id("ticket-title").text)

    def messages(self) -> list[WebElement]:
        return self.by_id("messages").find_elements(By.TAG_NAME, "li")

    def reply(self, text: str, internal: bool = False) -> None:
        count = len(self.messages())
        self.by_id("reply-text").send_keys(text)
        if internal:
            self.by_id("reply-internal").click()
        self.by_id("reply-send").click()
        self.wait().until(
            lambda _: len(self.messages()) > count or "Not sent" in self.by_id("reply-result").text
        )
        assert len(self.messages()) > count, self.by_id("reply-result").text

    def choose(self, element_id: str, value: str) -> None:
        Select(self.by_id(element_id)).select_by_value(value)

    def apply_filters(self) -> None:
        self.by_id("filters").find_element(By.CSS_SELECTOR, "button[type=submit]").click()

    def save_changes(self) -> str:
        self.by_id("update-save").click()
        self.wait().until(lambda _: self.by_id("update-result").text not in ("",))
        return self.by_id("update-result").text

    def notices(self) -> list[str]:
        return [notice.text for notice in self.by_id("notices").find_elements(By.CLASS_NAME, "notice")]

    def run(self, script: str) -> Any:
        return self.driver.execute_script(script)

    def screenshot(self, name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.driver.save_screenshot(str(path))
        return path


def _xpath_text(text: str) -> str:
    return f'"{text}"' if '"' not in text else f"'{text}'"
