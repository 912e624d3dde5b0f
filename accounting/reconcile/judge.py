"""A few of Onport's bills read back from Xero outside a full comparison (a webhook, or the nightly look at
bills changed since the last night, whatever their date): where each stands now, and what newly disagrees."""

from accounting.reconcile.alerts import drift_notices_update
from accounting.reconcile.compare import compare
from accounting.reconcile.models import Difference
from accounting.reconcile.services import bills_seen_record, expectations_for, invoice_of_url
from accounting.sync.models import AccountingSync, SyncKind
from integrations.models import XeroAccount
from integrations.xero.bill_pages import XeroBill
from invoicing.models import PurchaseInvoice

# What a bill read alone can tell (missing bills, credit notes and bills Onport did not send are the full
# comparison's).
JUDGED = [
    Difference.TOTAL,
    Difference.TAX,
    Difference.VOIDED_IN_XERO,
    Difference.DELETED_IN_XERO,
    Difference.VOID_IN_ONPORT,
    Difference.PAID_IN_XERO,
    Difference.PART_PAID_IN_XERO,
    Difference.PAID_IN_ONPORT,
]


def onport_bills(*, xero_account: XeroAccount, xero_ids) -> list[AccountingSync]:
    """The rows of the bills (and adjustment bills) Onport sent to this Xero account, of these ids."""
    ids = [xero_id.lower() for xero_id in xero_ids]
    return list(
        AccountingSync.objects.filter(
            xero_account=xero_account,
            kind__in=[SyncKind.BILL, SyncKind.DEBIT_BILL],
            xero_id__in=ids + [xero_id.upper() for xero_id in ids],
        ).only("pk", "xero_id", "synced_at", "invoice_id")
    )


def bills_judge(*, xero_account: XeroAccount, bills: dict[str, XeroBill], invoice_ids: set[int]) -> list:
    """Record where these bills stand and return the differences of their invoices not told before.

    Only invoices whose own bill was read are judged: an adjustment bill read alone says nothing of the bill."""
    bills_seen_record(xero_account=xero_account, bills=bills.values())
    expected = expectations_for(xero_account=xero_account, invoices=PurchaseInvoice.objects.filter(pk__in=invoice_ids))
    expected = [invoice for invoice in expected if invoice.bill_id in bills]
    comparison = compare(
        expected, bills, {}, known_ids=set(bills), invoice_of_url=invoice_of_url, account_invoice_ids=set()
    )
    found = [line for line in comparison.found if line.difference in JUDGED]
    return drift_notices_update(
        xero_account=xero_account,
        found=found,
        judged_invoice_ids={invoice.invoice_id for invoice in expected},
        judged_xero_ids=set(bills),
        judged_differences=JUDGED,
    )
