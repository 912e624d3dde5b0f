"""Email that never fails the work it reports on: it is sent after the commit by a Celery task that retries.

A reconnect notice or a sync-stop email is a courtesy (the pages say the same); the error being handled when it
is written — Xero refusing the grant, a batch stopping — must reach its caller whatever the mail server does.
"""

import logging

from django.db import transaction
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)


def one_line(text: str) -> str:
    """A header value without line breaks or other control characters (a CR/LF would be a header injection)."""
    return " ".join("".join(char if char.isprintable() else " " for char in text).split())


def mail_later(*, subject: str, message: str, recipients: list[str], what: str) -> None:
    """Queue an email to go after this transaction commits (at once outside one); `what` names it in the logs."""
    if not recipients:
        return
    subject = one_line(subject)
    transaction.on_commit(lambda: _enqueue(subject=subject, message=message, recipients=recipients, what=what))


def _enqueue(*, subject: str, message: str, recipients: list[str], what: str) -> None:
    from onport.tasks import mail_send_task

    try:
        mail_send_task.delay(subject=subject, message=message, recipients=recipients, what=what)
    except OperationalError:  # the broker is down: the email is lost, the work it reports on is not
        logger.exception("email not queued", extra={"mail": what})
