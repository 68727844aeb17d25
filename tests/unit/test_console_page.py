"""The console's and the reference's files as shipped: every form control labelled, the API's sorts
offered, readable colours, and the vendored Swagger UI at the version the Makefile pins."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from tests.support.aws import ROOT
from tickets.models.enums import SortOrder

CONSOLE = ROOT / "functions" / "console" / "static"
SWAGGER_UI = ROOT / "functions" / "api_docs" / "static"


class _Controls(HTMLParser):
    """The page's form controls and what labels them: a <label for>, an enclosing <label>, or
    aria-label."""

    def __init__(self) -> None:
        super().__init__()
        self.controls: list[dict[str, str | None]] = []
        self.labelled_ids: set[str] = set()
        self.open_labels = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "label":
            self.open_labels += 1
            if attributes.get("for"):
                self.labelled_ids.add(str(attributes["for"]))
        elif tag in ("input", "select", "textarea"):
            self.controls.append(attributes | {"_wrapped": "yes" if self.open_labels else None})

    def handle_endtag(self, tag: str) -> None:
        if tag == "label":
            self.open_labels -= 1


def test_every_form_control_of_the_console_has_a_label() -> None:
    parser = _Controls()
    parser.feed((CONSOLE / "index.html").read_text())
    assert parser.controls
    unlabelled = [
        control.get("id")
        for control in parser.controls
        if not (control["_wrapped"] or control.get("aria-label") or control.get("id") in parser.labelled_ids)
    ]
    assert unlabelled == []


def test_the_sign_in_field_is_labelled_api_key_and_is_not_remembered_by_the_browser() -> None:
    page = (CONSOLE / "index.html").read_text()
    assert '<label for="api-key">API key</label>' in page
    field = re.search(r'<input id="api-key"[^>]*>', page, re.S)
    assert field and 'type="password"' in field.group() and 'autocomplete="off"' in field.group()


def test_the_queue_offers_every_sort_of_the_api_and_no_other() -> None:
    page = (CONSOLE / "index.html").read_text()
    menu = re.search(r'<select id="filter-sort".*?</select>', page, re.S)
    assert menu
    assert sorted(re.findall(r'<option value="([^"]*)"', menu.group())) == sorted(SortOrder)


def _variables() -> dict[str, str]:
    css = (CONSOLE / "style.css").read_text()
    return dict(re.findall(r"--([a-z-]+):\s*(#[0-9a-fA-F]{6})", css))


def _luminance(colour: str) -> float:
    channels = [int(colour[index : index + 2], 16) / 255 for index in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(foreground: str, background: str) -> float:
    lighter, darker = sorted((_luminance(foreground), _luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


@pytest.mark.parametrize(
    ("text", "background"),
    [
        ("ink", "paper"),
        ("muted", "paper"),
        ("muted", "wash"),
        ("accent", "paper"),
        ("accent-ink", "accent"),
        ("danger", "paper"),
        ("note", "note-wash"),
        ("paper", "ink"),
    ],
)
def test_text_colours_are_readable_on_their_backgrounds(text: str, background: str) -> None:
    colours = _variables()
    # WCAG 2 AA for body text
    assert _contrast(colours[text], colours[background]) >= 4.5


def test_the_vendored_swagger_ui_is_the_version_the_makefile_pins() -> None:
    pinned = re.search(r"^SWAGGER_UI_VERSION := (\S+)$", (ROOT / "Makefile").read_text(), re.M)
    assert pinned
    bundle = (SWAGGER_UI / "swagger-ui-bundle.js").read_text()
    assert f'PACKAGE_VERSION:"{pinned.group(1)}"' in bundle
