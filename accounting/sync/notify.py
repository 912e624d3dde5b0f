"""A person hears at once when an automatic sync needs one: one email per batch to the account's admins and
finance, naming each invoice Xero refused (or Onport stopped) and what was said. A person's own "sync accounting"
sends none: they see the answer on the page. A row is told once; it waits for a person until retried."""

from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.db import transaction
from django.urls import reverse

from accounting.outbox.models import Priority, State
from accounting.outbox.results import Outcome
from accounting.sync import fixes
from invoicing.models import PurchaseInvoice
from onport.mail import mail_later
from onport.models import Account, Membership, Role

NEEDS_A_PERSON = (State.FAILED, State.NEEDS_ATTENTION)
NAMED_IN_MAIL = 25


@dataclass(frozen=True)
class Stopped:
    invoice_id: int
    state: str
    message: str


def automatic_stops_notify(outcomes: list[Outcome]) -> None:
    """After the batch's commit, email what automatic syncs could not do (nothing if there was none)."""
    by_account: dict[int, list[Stopped]] = {}
    for outcome in outcomes:
        if outcome.state in NEEDS_A_PERSON and outcome.row.priority != Priority.MANUAL:
            by_account.setdefault(outcome.row.account_id, []).append(
                Stopped(
                    outcome.row.invoice_id, outcome.state, fixes.in_words(outcome.row, outcome.message, outcome.reason)
                )
            )
    for account_id, stopped in by_account.items():
        transaction.on_commit(partial(_email, account_id, stopped))


def sync_recipients(*, account_id: int, wanting: str) -> list[str]:
    """The emails of the account's admins and finance who keep this notification on (a Membership flag)."""
    members = Membership.objects.filter(account_id=account_id, role__in=[Role.ADMIN, Role.FINANCE], **{wanting: True})
    return sorted({member.user.email for member in members.select_related("user") if member.user.email})


def _email(account_id: int, stopped: list[Stopped]) -> None:
    recipients = sync_recipients(account_id=account_id, wanting="email_sync_stops")
    if not recipients:
        return
    found = PurchaseInvoice.objects.filter(account_id=account_id, pk__in=[s.invoice_id for s in stopped])
    invoices = {invoice.pk: invoice for invoice in found.select_related("vendor")}
    account = Account.objects.get(pk=account_id)
    named = [
        f"- {invoices[s.invoice_id].number} ({invoices[s.invoice_id].vendor.name}): {s.message}\n  "
        f"{settings.PUBLIC_BASE_URL}{invoices[s.invoice_id].get_absolute_url()}"
        for s in stopped[:NAMED_IN_MAIL]
        if s.invoice_id in invoices
    ]
    more = [f"…and {len(stopped) - NAMED_IN_MAIL} more."] if len(stopped) > NAMED_IN_MAIL else []
    count = len(stopped)
    shown = State.NEEDS_ATTENTION if all(s.state == State.NEEDS_ATTENTION for s in stopped) else State.FAILED
    link = f"{settings.PUBLIC_BASE_URL}{reverse('sync:log')}?state={shown}"
    mail_later(
        subject=f"{count} invoice{'s' if count != 1 else ''} did not reach Xero ({account.name})",
        message="\n".join(
            [
                "Automatic sync could not send these invoices to Xero; they wait for someone to fix what is said. "
                "Each invoice's page says what to do, with a link to where:",
                "",
                *named,
                *more,
                "",
                f"The Sync log, with each problem:\n{link}",
                "",
                f"Turn these emails off under Notifications: {settings.PUBLIC_BASE_URL}{reverse('notifications')}",
            ]
        )
        + "\n",
        recipients=recipients,
        what=f"sync stops of account {account_id}",
    )
