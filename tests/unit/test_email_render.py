"""Email rendering: the templates in files, user content escaped in HTML, subjects one safe line."""

from __future__ import annotations

import pytest

from tickets.notify.render import SUBJECT_MAX, render

KINDS = ("assigned", "closed", "agent_reply", "customer_reply")


def values(**overrides: str) -> dict[str, str]:
    """Every value the automation passes to a template."""
    return {
        "ticket_number": "INV-7",
        "ticket_id": "01JTICKET0000000000000000",
        "subject": "Refund not received",
        "priority": "HIGH",
        "customer": "John Doe <john@acme.com>",
        "customer_name": "John Doe",
        "agent_name": "Agent N1",
        "description": "I paid twice.",
        "author": "Agent N1",
        "message": "Your refund is on its way.",
    } | overrides


@pytest.mark.parametrize("kind", KINDS)
def test_every_template_renders_a_subject_naming_the_ticket_and_both_parts(kind: str) -> None:
    email = render(kind, "someone@acme.com", values())
    assert email.to == "someone@acme.com"
    assert email.subject.startswith("[INV-7] ")
    assert "Refund not received" in email.subject
    assert email.text.strip() and email.html.strip()
    assert "$" not in email.text + email.html  # no placeholder left over


def test_the_assignment_email_tells_the_agent_priority_customer_and_description() -> None:
    email = render("assigned", "agent_n1@acme.com", values())
    assert email.subject == "[INV-7] Assigned to you: Refund not received"
    for shown in (
        "Agent N1",
        "HIGH",
        "John Doe <john@acme.com>",
        "I paid twice.",
        "01JTICKET0000000000000000",
    ):
        assert shown in email.text
    assert "John Doe &lt;john@acme.com&gt;" in email.html


@pytest.mark.parametrize("kind", KINDS)
def test_user_content_is_escaped_in_the_html_part_and_kept_in_the_text_part(kind: str) -> None:
    hostile = "<script>alert('x')</script> & \"quoted\""
    escaped = "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &quot;quoted&quot;"
    content = {name: hostile for name in ("subject", "customer", "customer_name", "agent_name")}
    email = render(kind, "someone@acme.com", values(**content, description=hostile, message=hostile))
    assert "<script" not in email.html
    assert escaped in email.html
    assert hostile in email.text


@pytest.mark.parametrize(
    "line_break",
    ["\n", "\r\n", "\r", "\u2028", "\u2029", "\x85", "\x0b", "\x0c", "\r\n\r\n"],
    ids=["LF", "CRLF", "CR", "LS", "PS", "NEL", "VT", "FF", "blank-line"],
)
def test_a_subject_never_carries_a_line_break_and_keeps_its_words(line_break: str) -> None:
    # Given a subject trying to add a header
    subject = f"Refund{line_break}Bcc: victim@example.com"
    # When the assignment email is rendered
    email = render("assigned", "agent_n1@acme.com", values(subject=subject))
    # Then the subject is one line holding every word, the break made a space
    assert len(email.subject.splitlines()) == 1
    assert not any(mark in email.subject for mark in "\r\n\u2028\u2029\x85\x0b\x0c")
    assert email.subject == "[INV-7] Assigned to you: Refund Bcc: victim@example.com"
    # And the text part starts as the template does, with no piece of the subject spilled into it
    assert email.text.startswith("Hello Agent N1,")


def test_a_long_subject_is_cut_to_the_maximum() -> None:
    email = render("closed", "john@acme.com", values(subject="x" * 1000))
    assert len(email.subject) == SUBJECT_MAX
    assert email.subject.startswith("[INV-7] Closed: xxx")


def test_dollar_signs_in_user_content_are_not_substituted_again() -> None:
    email = render(
        "agent_reply", "john@acme.com", values(subject="Pay $ticket_id now", message="$$ ${author}")
    )
    assert "Pay $ticket_id now" in email.subject
    assert "$$ ${author}" in email.text
