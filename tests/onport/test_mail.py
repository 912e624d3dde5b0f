"""Email never fails the work it reports on: it goes after the commit, through a task that retries."""

import logging

import pytest
from django.core import mail
from django.db import transaction

from onport.mail import mail_later, one_line
from onport.tasks import MAIL_MAX_RETRIES
from tests.fixtures.flaky_mail import REFUSALS, refuse_next

pytestmark = pytest.mark.django_db


@pytest.fixture
def flaky_mail(settings):
    settings.EMAIL_BACKEND = "tests.fixtures.flaky_mail.FlakyEmailBackend"
    yield refuse_next
    refuse_next(0)


def test_a_refusing_mail_server_is_tried_again_until_it_takes_the_email(
    flaky_mail, caplog, django_capture_on_commit_callbacks
):
    flaky_mail(2)

    with caplog.at_level(logging.WARNING, logger="onport.tasks"), django_capture_on_commit_callbacks(execute=True):
        mail_later(subject="Reconnect Xero: Main", message="Body\n", recipients=["admin@example.com"], what="test")

    assert REFUSALS["seen"] == 2 and len(mail.outbox) == 1
    assert [r.getMessage() for r in caplog.records] == ["email not sent, tried again later: SMTPServerDisconnected"] * 2


def test_an_outage_longer_than_the_retries_is_logged_and_raises_nothing(
    flaky_mail, caplog, django_capture_on_commit_callbacks
):
    flaky_mail(MAIL_MAX_RETRIES + 5)

    with caplog.at_level(logging.WARNING, logger="onport.tasks"), django_capture_on_commit_callbacks(execute=True):
        mail_later(subject="Reconnect Xero: Main", message="Body\n", recipients=["admin@example.com"], what="test")

    assert REFUSALS["seen"] == MAIL_MAX_RETRIES + 1 and mail.outbox == []
    assert caplog.records[-1].getMessage() == f"email not sent after {MAIL_MAX_RETRIES + 1} tries"


def test_nothing_is_sent_before_the_commit_nor_when_it_rolls_back(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            mail_later(subject="Kept", message="Body\n", recipients=["admin@example.com"], what="test")
            assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        with transaction.atomic():
            mail_later(subject="Rolled back", message="Body\n", recipients=["admin@example.com"], what="test")
            raise RuntimeError("the work failed")
    assert [message.subject for message in mail.outbox] == ["Kept"]


def test_header_values_lose_line_breaks_and_control_characters():
    assert one_line("Main\r\nBcc: someone@evil.example\x00\x1b[31m") == "Main Bcc: someone@evil.example [31m"
