"""After the bill exists: an amend or a void in Onport reaches Xero through the outbox, or is shown plainly.

- Amended: with Setup > Accounting's automatic sync on for the invoice's kind the bill is updated at once;
  otherwise the row is *changed since synced* and the invoice page and Payments list say so beside
  sync accounting.
- Voided: the bill (and an adjustment bill) is voided in Xero, or deleted while it is a draft there; a
  document that never reached Xero is *not sent*. A credit note already in Xero is voided too, its
  allocation to the bill removed first (Xero voids a bill only once no credit is allocated to it).
- A change made while the bill was on its way is caught by the sweep (`changes_since_sync`).
"""

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounting.outbox.models import Reason
from accounting.outbox.results import Outcome, Problem
from accounting.setup.selectors import accounting_settings_read
from accounting.sync.inputs import CodingContext, bill_input
from accounting.sync.models import AccountingSync, SyncKind, SyncState
from accounting.sync.records import syncs_record
from accounting.sync.payments import bill_payments_request
from accounting.sync.services import drain_queue, sync_request
from integrations.xero.mapping import fingerprint
from invoicing.models import InvoiceStatus, PurchaseInvoice
from onport.events import InvoiceAmended, InvoicePaid, InvoiceVoided

WILL_SEND = (SyncState.PENDING, SyncState.SENDING, SyncState.UNKNOWN)  # sends the latest, or the sweep checks after
REMOVED_IN_XERO = ("VOIDED", "DELETED")
RECHECK_LIMIT = 500
CHANGED_MESSAGE = "Amended in Onport since it was synced: press sync accounting to update the bill in Xero."
AMENDED_MESSAGE = "Amended in Onport; updating the bill in Xero automatically."
VOID_MESSAGE = "Voided in Onport; voiding the bill in Xero."
NOT_SENT_MESSAGE = "Voided in Onport before its bill reached Xero; nothing was sent."


def invoice_amended_sync(event: InvoiceAmended) -> None:
    invoice = PurchaseInvoice.objects.select_related("account").get(pk=event.invoice_id)
    with transaction.atomic():
        bills = AccountingSync.objects.select_for_update().filter(invoice=invoice, kind=SyncKind.BILL, adjustment=None)
        rows = list(bills.exclude(state__in=WILL_SEND).exclude(xero_id=""))
        _mark_changed(rows, automatic=accounting_settings_read(account=invoice.account).auto_sync_for(invoice.kind))


def invoice_voided_sync(event: InvoiceVoided) -> None:
    invoice = PurchaseInvoice.objects.get(pk=event.invoice_id)
    with transaction.atomic():
        syncs = AccountingSync.objects.select_for_update().filter(invoice=invoice)
        rows = list(syncs.exclude(state__in=(SyncState.SENDING, SyncState.UNKNOWN, SyncState.CANCELLED)))
        now = timezone.now()
        outcomes = []
        for row in rows:
            if not row.xero_id:
                outcomes.append(Outcome(row, SyncState.CANCELLED, Reason.VOID_REQUESTED, NOT_SENT_MESSAGE))
            elif row.xero_status not in REMOVED_IN_XERO:
                row.next_attempt_at = now
                outcomes.append(Outcome(row, SyncState.PENDING, Reason.VOID_REQUESTED, VOID_MESSAGE))
        syncs_record(outcomes, fields=["next_attempt_at"])
        for xero_account_id in {
            outcome.row.xero_account_id for outcome in outcomes if outcome.state == SyncState.PENDING
        }:
            drain_queue(xero_account_id)


def invoice_paid_sync(event: InvoicePaid) -> None:
    """Record payments in Xero (when Setup > Accounting says so): the bill is approved if need be, then paid."""
    invoice = PurchaseInvoice.objects.select_related("account").get(pk=event.invoice_id)
    setup = accounting_settings_read(account=invoice.account)
    if not (setup.record_payments and setup.payment_account_id):
        return
    with transaction.atomic():
        if invoice.syncs.filter(kind=SyncKind.BILL, adjustment=None).exists():
            # A paid invoice's bill goes approved (Xero pays only approved bills): bring it up to date; the request
            # also asks for the payment, which waits for the bill.
            sync_request(invoice=invoice, how="to record its payment")
        else:
            bill_payments_request(invoices=[invoice], setup=setup)


def changes_since_sync() -> None:
    """The sweep's backstop: synced bills whose invoice changed after the bill was last confirmed in Xero."""
    rows = list(
        AccountingSync.objects.filter(state=SyncState.SYNCED, adjustment=None, invoice__updated_at__gt=F("synced_at"))
        .exclude(xero_id="")
        .select_related("invoice__vendor", "invoice__order", "invoice__account", "xero_account")
        .prefetch_related("invoice__lines")
        .order_by("synced_at")[:RECHECK_LIMIT]
    )
    voided = [
        row for row in rows if row.invoice.status == InvoiceStatus.VOID and row.xero_status not in REMOVED_IN_XERO
    ]
    for invoice_id in {row.invoice_id for row in voided}:
        invoice_voided_sync(InvoiceVoided(invoice_id=invoice_id))
    checked = [row for row in rows if row.invoice.status in (InvoiceStatus.ISSUED, InvoiceStatus.PAID)]
    changed, unchanged = [], []
    for xero_account_rows in rows_by_xero_account(checked).values():
        context = CodingContext.load(
            xero_account=xero_account_rows[0].xero_account,
            invoices=[row.invoice for row in xero_account_rows],
        )
        for row in xero_account_rows:
            built = bill_input(row.invoice, context, posting_date=row.posting_date)
            if isinstance(built, Problem) or fingerprint(built) != row.synced_fingerprint:
                changed.append(row)
            else:
                unchanged.append(row.pk)
    # Xero has what Onport has: confirmed now (so the same rows are not read again at every sweep).
    AccountingSync.objects.filter(pk__in=unchanged).update(synced_at=timezone.now())
    setups = {
        account_id: accounting_settings_read(account=account)
        for account_id, account in {row.invoice.account_id: row.invoice.account for row in changed}.items()
    }
    for automatic in (True, False):
        _mark_changed(
            [row for row in changed if setups[row.invoice.account_id].auto_sync_for(row.invoice.kind) == automatic],
            automatic=automatic,
        )


def _mark_changed(rows: list[AccountingSync], *, automatic: bool) -> None:
    if not rows:
        return
    now = timezone.now()
    if automatic:
        for row in rows:
            row.next_attempt_at = now
        syncs_record(
            [Outcome(row, SyncState.PENDING, Reason.AMENDED, AMENDED_MESSAGE) for row in rows],
            fields=["next_attempt_at"],
        )
        for xero_account_id in {row.xero_account_id for row in rows}:
            drain_queue(xero_account_id)
    else:
        syncs_record([Outcome(row, SyncState.CHANGED, Reason.AMENDED, CHANGED_MESSAGE) for row in rows], fields=[])


def rows_by_xero_account(rows: list[AccountingSync]) -> dict[int, list[AccountingSync]]:
    groups: dict[int, list[AccountingSync]] = {}
    for row in rows:
        groups.setdefault(row.xero_account_id, []).append(row)
    return groups
