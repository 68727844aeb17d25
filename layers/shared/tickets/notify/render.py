"""Emails from the templates beside this file: the text file's first line is the subject.

Values are escaped for the HTML part, and every line break is taken out of the subject, so user
content can neither inject markup nor add mail headers."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from string import Template

_TEMPLATES = Path(__file__).parent / "templates"
_LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029\x0b\x0c\x85]+")
SUBJECT_MAX = 200


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    text: str
    html: str


@cache
def _templates(kind: str) -> tuple[Template, Template, Template]:
    """(subject, text body, HTML body): the text file's first line is the subject."""
    subject, _, text = (_TEMPLATES / f"{kind}.txt").read_text(encoding="utf-8").partition("\n")
    return (
        Template(subject),
        Template(text),
        Template((_TEMPLATES / f"{kind}.html").read_text(encoding="utf-8")),
    )


def render(kind: str, to: str, values: dict[str, str]) -> Email:
    subject_template, text_template, html_template = _templates(kind)
    one_line = {name: _LINE_BREAKS.sub(" ", value) for name, value in values.items()}
    subject = _LINE_BREAKS.sub(" ", subject_template.substitute(one_line)).strip()[:SUBJECT_MAX]
    text = text_template.substitute(values).strip() + "\n"
    body_html = html_template.substitute({name: html.escape(value) for name, value in values.items()})
    return Email(to=to, subject=subject, text=text, html=body_html)
