"""The nightly check's email: admins and finance hear once of each difference that is new since the last one."""

import logging
import smtplib

from django.conf import settings
from django.core.mail import BadHeaderError, send_mail
from django.urls import reverse

from accounting.reconcile.models import Reconciliation, ReconciliationLine, ReconciliationState
from onport.models import Membership, Role

logger = logging.getLogger(__name__)
NAMED_IN_MAIL = 25  # lines named in the email; the page has them all


def _key(line: ReconciliationLine) -> tuple:
    return line.difference, line.invoice_id, line.xero_id


def new_differences(reconciliation: Reconciliation) -> list[ReconciliationLine]:
    """Lines of this nightly check that the previous one of the same Xero account did not have."""
    previous = (Reconciliation.objects.filter(xero_account=reconciliation.xero_account, nightly=True,
                                              state=ReconciliationState.DONE, started_at__lt=reconciliation.started_at)
                .exclude(pk=reconciliation.pk).order_by("-started_at").first())
    known = {_key(line) for line in previous.lines.all()} if previous else set()
    lines = reconciliation.lines.select_related("invoice", "vendor")
    return [line for line in lines if _key(line) not in known]


def drift_alert(reconciliation: Reconciliation) -> bool:
    """Email admins and finance of the account when the nightly check found something new; True if sent."""
    lines = new_differences(reconciliation)
    members = Membership.objects.filter(account_id=reconciliation.account_id, role__in=[Role.ADMIN, Role.FINANCE])
    recipients = sorted({member.user.email for member in members.select_related("user") if member.user.email})
    if not lines or not recipients:
        return False
    name = " ".join(reconciliation.xero_account.name.split())  # no CR/LF in a header
    link = f"{settings.PUBLIC_BASE_URL}{reverse('reconcile:page', args=[reconciliation.xero_account_id])}"
    named = [f"- {line.invoice.number if line.invoice else line.xero_number}"
             f"{f' ({line.vendor.name})' if line.vendor else ''}: {line.explanation}" for line in lines[:NAMED_IN_MAIL]]
    more = f"\n…and {len(lines) - NAMED_IN_MAIL} more." if len(lines) > NAMED_IN_MAIL else ""
    try:
        send_mail(
            subject=f"Xero and Onport disagree: {len(lines)} new difference{'s' if len(lines) != 1 else ''} ({name})",
            message=(f"Tonight's check of {name} found what Xero and Onport no longer agree on:\n\n"
                     + "\n".join(named) + more + f"\n\nWhat to do about each, and the CSV:\n{link}\n"),
            from_email=settings.DEFAULT_FROM_EMAIL, recipient_list=recipients,
        )
    except (BadHeaderError, smtplib.SMTPException, OSError):
        logger.exception("drift email not sent", extra={"reconciliation": reconciliation.pk})
        return False
    return True
