"""Earlier invoices: every issued invoice not yet on its way to Xero, sent as a backfill.

A backfill is the least urgent work there is: its rows go after automatic syncs and a person's "sync
accounting", and it stops short of the organisation's daily Xero limit (what could not go today goes
tomorrow by itself). It is queued in chunks, so 100,000 invoices never sit in one transaction or in one
worker's memory.
"""

from django.db import transaction
from django.db.models import QuerySet

from accounting.setup.selectors import accounting_settings_read
from accounting.sync.models import AccountingSync, SyncKind
from accounting.sync.services import SyncRefused, sync_request_many
from invoicing.models import InvoiceStatus, PurchaseInvoice
from onport.models import Account

CHUNK = 500


def backfill_waiting(*, account: Account) -> QuerySet:
    """Issued (or paid) invoices of the account with no bill row yet: never asked to reach Xero."""
    with_bill = AccountingSync.objects.filter(account=account, kind=SyncKind.BILL).values("invoice_id")
    invoices = PurchaseInvoice.objects.filter(account=account, status__in=[InvoiceStatus.ISSUED, InvoiceStatus.PAID])
    return invoices.exclude(pk__in=with_bill)


def backfill_request(*, account: Account, actor=None) -> int:
    """Queue the backfill (a task does the chunks); how many invoices it will send."""
    if accounting_settings_read(account=account).xero_account_id is None:
        raise SyncRefused("Choose the Xero account to sync to in Setup > Accounting first.")
    waiting = backfill_waiting(account=account).count()
    if waiting:
        from accounting.sync.tasks import sync_backfill  # the tasks import this module

        actor_id = actor.pk if actor else None
        transaction.on_commit(lambda: sync_backfill.delay(account.pk, actor_id))
    return waiting


def backfill_run(*, account: Account, actor=None) -> int:
    """Ask for a bill for every waiting invoice, a chunk per transaction, oldest first; how many were asked."""
    how = "in the backfill of earlier invoices by " + (actor.email if actor else "Onport")
    asked, after = 0, 0
    while chunk := list(backfill_waiting(account=account).filter(pk__gt=after).order_by("pk")[:CHUNK]):
        sync_request_many(account=account, invoices=chunk, actor=actor, how=how, backfill=True)
        asked, after = asked + len(chunk), chunk[-1].pk
    return asked
