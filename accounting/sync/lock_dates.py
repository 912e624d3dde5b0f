"""A bill Xero refused because its date is in a closed period: a person posts it on the first open day instead
(the invoice keeps its own date), and the sync history says who chose that and why."""

import datetime

from django.db import transaction

from accounting.sync import fixes
from accounting.sync.models import AccountingSync, SyncKind, SyncState
from accounting.sync.services import sync_request
from integrations.services import xero_lock_dates_read
from integrations.xero.errors import XeroError
from invoicing.models import PurchaseInvoice
from onport.errors import ApplicationError

REASON_MAX = 200


class PostingRefused(ApplicationError):
    """The bill cannot be re-dated now; the message says why."""


def bill_post_on_open_day(*, invoice: PurchaseInvoice, actor, reason: str) -> datetime.date:
    """Date the invoice's refused bill on the day after Xero's lock date (read again from Xero) and send it."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise PostingRefused(
            "Say why the bill goes with another date than the invoice's: it is kept in the sync history."
        )
    if len(reason) > REASON_MAX:
        raise PostingRefused(f"Keep the reason to {REASON_MAX} characters (it has {len(reason)}).")
    sync = (
        AccountingSync.objects.select_related("xero_account")
        .filter(invoice=invoice, kind=SyncKind.BILL, adjustment=None)
        .first()
    )
    if sync is None or sync.state != SyncState.FAILED or not fixes.means_lock_date(sync.last_error):
        raise PostingRefused("Only a bill Xero refused for its lock date can be posted on the first open day.")
    try:
        xero_account = xero_lock_dates_read(xero_account=sync.xero_account)
    except XeroError as error:
        raise PostingRefused(
            f"Xero could not be asked for its lock date: {error.message} Nothing was changed; try again in a minute."
        ) from error
    lock = xero_account.lock_date
    if lock is None or invoice.issue_date > lock:
        raise PostingRefused(
            "Xero's books are open for the invoice's date now: press sync accounting to send the "
            "bill with its own date."
        )
    first = fixes.first_open_day(lock)
    with transaction.atomic():
        AccountingSync.objects.filter(pk=sync.pk).update(posting_date=first)
        sync_request(
            invoice=invoice,
            actor=actor,
            how=(
                f"by {actor.email} with the bill dated {first:%-d %b %Y}, the first day after Xero's lock date "
                f"({lock:%-d %b %Y}), because: {reason}"
            ),
        )
    return first
