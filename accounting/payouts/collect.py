"""Which invoices a payout run takes, and what each bill still owes according to Xero.

Xero decides what can be paid: a payment is refused on a bill that is not approved (AUTHORISED), and the
amount Xero still shows as due on a bill is what is left after the credit notes allocated to it and the
payments already made there. So a run asks Xero for each bill's standing before it is collected (and the
invoice pages then show where each bill stood, as a comparison or a webhook would).
"""

import datetime
from decimal import Decimal

from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone

from accounting.payouts.errors import PayoutRefused
from accounting.payouts.models import PayoutItem, PayoutLineStatus, PayoutRunStatus
from accounting.reconcile.services import bills_seen_record
from accounting.sync.models import AccountingSync, SyncKind, SyncState
from integrations.models import XeroAccount
from integrations.services import xero_client
from integrations.xero.bill_pages import XeroBill, bills_by_id
from integrations.xero.errors import XeroError
from invoicing.models import InvoiceStatus, PurchaseInvoice
from onport.models import Account

NOT_APPROVED = (
    "The bill is {status} in Xero, and Xero records payments only against approved bills: approve it in Xero "
    "(or create bills as “Awaiting payment” in Setup > Accounting), then start another run."
)


def due_invoices(*, account: Account, xero_account: XeroAccount, issued_before: datetime.datetime):
    """Issued, unpaid invoices issued before the cut-off whose bill is synced to this Xero account, not in an open run."""
    bills = (
        AccountingSync.objects.filter(
            invoice=OuterRef("pk"),
            kind=SyncKind.BILL,
            adjustment=None,
            state=SyncState.SYNCED,
            xero_account=xero_account,
        )
        .exclude(xero_id="")
        .values("xero_id")[:1]
    )
    in_open_run = PayoutItem.objects.filter(
        invoice=OuterRef("pk"),
        payable=True,
        line__status=PayoutLineStatus.INCLUDED,
        line__run__status__in=[PayoutRunStatus.REVIEW, PayoutRunStatus.APPROVED],
    )
    return (
        PurchaseInvoice.objects.for_account(account)
        .filter(status=InvoiceStatus.ISSUED, issued_at__lte=issued_before)
        .annotate(bill_id=Subquery(bills))
        .filter(bill_id__isnull=False)
        .exclude(Exists(in_open_run))
        .select_related("vendor")
        .order_by("vendor__name", "issue_date", "number")
    )


def bills_standing_now(*, xero_account: XeroAccount, account: Account, delay_days: int) -> dict[str, XeroBill]:
    """What Xero says of the bills a run would take now, by InvoiceID (lower case)."""
    issued_before = timezone.now() - datetime.timedelta(days=delay_days)
    bill_ids = list(
        due_invoices(account=account, xero_account=xero_account, issued_before=issued_before).values_list(
            "bill_id", flat=True
        )
    )
    if not bill_ids:
        return {}
    try:
        bills = bills_by_id(xero_client(xero_account), bill_ids)
    except XeroError as error:
        raise PayoutRefused(
            f"Xero could not say what the bills still owe, so no run was made: {error.message}"
        ) from error
    bills_seen_record(xero_account=xero_account, bills=bills)
    return {bill.xero_id: bill for bill in bills}


def payout_item(*, account: Account, invoice: PurchaseInvoice, standing: dict[str, XeroBill]) -> PayoutItem:
    """The invoice's item in a run: paid what Xero says is due on its bill, or not payable yet and why."""
    bill = standing.get(invoice.bill_id.lower())
    reason = (
        f"Held from payouts on its invoice page: {invoice.payout_hold}" if invoice.payout_hold else _not_payable(bill)
    )
    if reason:
        return PayoutItem(
            account=account,
            invoice=invoice,
            bill_id=invoice.bill_id,
            total=invoice.total,
            credits=Decimal("0.00"),
            amount=Decimal("0.00"),
            payable=False,
            reason=reason,
        )
    due = min(bill.amount_due, invoice.total)
    return PayoutItem(
        account=account,
        invoice=invoice,
        bill_id=invoice.bill_id,
        total=invoice.total,
        credits=invoice.total - due,
        amount=due,
    )


def _not_payable(bill: XeroBill | None) -> str:
    if bill is None:
        return "Xero did not return this bill (deleted there?): sync accounting on the invoice again."
    if bill.status in ("DRAFT", "SUBMITTED"):
        return NOT_APPROVED.format(status="a draft" if bill.status == "DRAFT" else "awaiting approval")
    if bill.status == "PAID":
        paid_on = f" on {bill.fully_paid_on.day} {bill.fully_paid_on:%b %Y}" if bill.fully_paid_on else ""
        return f"Already paid in Xero{paid_on}, so this run does not pay it again: mark the invoice paid in Onport."
    if bill.status in ("VOIDED", "DELETED"):
        return f"The bill is {bill.status.lower()} in Xero."
    if bill.amount_due <= 0:
        return "Nothing is due on the bill in Xero: credit notes or payments there cover it."
    return ""
