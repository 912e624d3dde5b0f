"""Export CSV: Contacts > Payments (the current search) and the Sync log (its current filter), as rows to stream.

Each export is one query read through a cursor (`iterator`), so 100,000 invoices never sit in memory at once;
the bill of each invoice comes in the same query (a LEFT JOIN), not one query per row."""

from collections.abc import Iterator

from django.db.models import FilteredRelation, Q

from accounting.sync.models import XERO_STATUS_STATES, SyncKind, SyncState, XeroStatus
from accounting.sync.selectors import SyncLogFilter, payments_search, sync_log
from contacts.models import VendorKind
from invoicing.models import InvoiceStatus
from invoicing.selectors import InvoiceSearch
from onport.models import Account

ROWS_PER_FETCH = 2000

PAYMENTS_COLUMNS = (
    "Number",
    "Vendor's invoice number",
    "Vendor",
    "Kind",
    "Purchase order",
    "Sales order",
    "Issue date",
    "Due date",
    "Status",
    "Currency",
    "Subtotal",
    "Tax",
    "Total",
    "Xero status",
    "Bill status in Xero",
    "Xero bill",
)
SYNC_LOG_COLUMNS = (
    "Invoice",
    "Document",
    "Vendor",
    "Xero account",
    "State",
    "What happened",
    "Attempts",
    "Updated",
    "Xero bill",
)

_XERO_STATUS_OF_STATE = {
    state: XeroStatus(status).label for status, states in XERO_STATUS_STATES.items() for state in states
}
_KINDS = dict(VendorKind.choices)
_STATUSES = dict(InvoiceStatus.choices)
_STATES = dict(SyncState.choices)
_DOCUMENTS = dict(SyncKind.choices)


def payments_rows(*, account: Account, search: InvoiceSearch, xero_status: str = "") -> Iterator[tuple]:
    """The invoices of Payments' search, newest first, as the list shows them, each with where its bill stands."""
    invoices = (
        payments_search(account=account, search=search, xero_status=xero_status)
        .annotate(
            bill=FilteredRelation("syncs", condition=Q(syncs__kind=SyncKind.BILL, syncs__adjustment__isnull=True)),
        )
        .values_list(
            "number",
            "vendor_invoice_number",
            "vendor__name",
            "kind",
            "order__number",
            "order__sales_order_reference",
            "issue_date",
            "due_date",
            "status",
            "currency",
            "subtotal",
            "tax_total",
            "total",
            "bill__state",
            "bill__xero_status",
            "bill__xero_url",
        )
    )
    for (
        number,
        vendor_number,
        vendor,
        kind,
        order,
        sales_order,
        issued,
        due,
        status,
        currency,
        subtotal,
        tax,
        total,
        state,
        xero_bill_status,
        xero_url,
    ) in invoices.iterator(chunk_size=ROWS_PER_FETCH):
        yield (
            number,
            vendor_number,
            vendor,
            _KINDS.get(kind, kind),
            order,
            sales_order,
            issued,
            due,
            _STATUSES.get(status, status),
            currency,
            subtotal,
            tax,
            total,
            _XERO_STATUS_OF_STATE.get(state, XeroStatus.NOT_SYNCED.label),
            xero_bill_status,
            xero_url,
        )


def sync_log_rows(*, account: Account, filters: SyncLogFilter) -> Iterator[tuple]:
    """The Sync log's rows under its filter, latest change first."""
    rows = sync_log(account=account, filters=filters).values_list(
        "invoice__number",
        "kind",
        "invoice__vendor__name",
        "xero_account__name",
        "state",
        "last_error",
        "attempts",
        "updated_at",
        "xero_url",
    )
    for number, kind, vendor, xero_account, state, what, attempts, updated, xero_url in rows.iterator(
        chunk_size=ROWS_PER_FETCH
    ):
        yield (
            number,
            _DOCUMENTS.get(kind, kind),
            vendor,
            xero_account,
            _STATES.get(state, state),
            what,
            attempts,
            updated,
            xero_url,
        )
