import datetime
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, QuerySet

from accounting.payouts.models import PaymentState, PayoutPayment
from accounting.sync.models import (
    XERO_STATUS_STATES,
    AccountingSync,
    BillDocument,
    BillNote,
    BillPayment,
    SyncEvent,
    SyncKind,
    SyncState,
    XeroStatus,
)
from invoicing.models import InvoiceStatus, PurchaseInvoice
from invoicing.selectors import InvoiceSearch, invoice_search
from onport.models import Account

MAX_BULK = 500


def invoice_sync(*, invoice: PurchaseInvoice) -> AccountingSync | None:
    return AccountingSync.objects.filter(invoice=invoice, kind=SyncKind.BILL, adjustment=None).first()


def bill_paid_in_xero(*, invoice: PurchaseInvoice, sync: AccountingSync | None) -> bool:
    """Whether Onport knows the bill is paid in Xero: Xero said so, or a payout run recorded its payment there."""
    if sync is None or not sync.xero_id or invoice.status != InvoiceStatus.PAID:
        return False  # only a paid invoice's page asks
    return (
        sync.xero_status == "PAID"
        or PayoutPayment.objects.filter(invoice=invoice, state=PaymentState.SYNCED).exists()
        or BillPayment.objects.filter(invoice=invoice, state=SyncState.SYNCED).exists()
    )


def invoice_bill_payment(*, invoice: PurchaseInvoice) -> BillPayment | None:
    return BillPayment.objects.filter(invoice=invoice).first()


def invoice_bill_document(*, invoice: PurchaseInvoice) -> BillDocument | None:
    return BillDocument.objects.filter(invoice=invoice).first()


def invoice_bill_note(*, invoice: PurchaseInvoice) -> BillNote | None:
    return BillNote.objects.filter(invoice=invoice).first()


def bill_states(*, account: Account, invoice_ids: list[int]) -> dict[int, AccountingSync]:
    """The bill rows of these invoices (for a list page: one query), by invoice id."""
    rows = AccountingSync.objects.for_account(account).filter(
        invoice_id__in=invoice_ids, kind=SyncKind.BILL, adjustment=None
    )
    return {row.invoice_id: row for row in rows.only("id", "invoice_id", "state", "xero_status", "xero_url")}


def payments_search(*, account: Account, search: InvoiceSearch, xero_status: str = "") -> QuerySet[PurchaseInvoice]:
    """Contacts > Payments: the invoice search, narrowed to one Xero status (XeroStatus) when one is chosen."""
    invoices = invoice_search(account=account, search=search)
    if not xero_status:
        return invoices
    bills = AccountingSync.objects.filter(account=account, invoice=OuterRef("pk"), kind=SyncKind.BILL, adjustment=None)
    if xero_status == XeroStatus.NOT_SYNCED:
        return invoices.filter(~Exists(bills.exclude(state=SyncState.CANCELLED)))
    return invoices.filter(Exists(bills.filter(state__in=XERO_STATUS_STATES[xero_status])))


def xero_status_counts(*, account: Account) -> dict[str, int]:
    """How many of the account's invoices are in each XeroStatus (the Payments list's filter), in two aggregates."""
    by_state = (
        AccountingSync.objects.for_account(account)
        .filter(kind=SyncKind.BILL, adjustment=None)
        .values("state")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts = dict.fromkeys(XeroStatus.values, 0)
    status_of = {state: status for status, states in XERO_STATUS_STATES.items() for state in states}
    with_bill = 0
    for row in by_state:
        counts[status_of.get(row["state"], XeroStatus.NOT_SYNCED)] += row["n"]
        with_bill += row["n"] if row["state"] != SyncState.CANCELLED else 0
    counts[XeroStatus.NOT_SYNCED] = PurchaseInvoice.objects.for_account(account).count() - with_bill
    return counts


def invoices_to_sync_matching(
    *, account: Account, search: InvoiceSearch, xero_status: str = ""
) -> QuerySet[PurchaseInvoice]:
    """ "Select all that match": the search's issued invoices whose bill is not in Xero as it stands (not synced,
    changed, refused or needing attention) — oldest first, so a second press takes the ones the first left."""
    invoices = payments_search(account=account, search=search, xero_status=xero_status).filter(
        status=InvoiceStatus.ISSUED
    )
    settled = AccountingSync.objects.filter(
        invoice=OuterRef("pk"),
        kind=SyncKind.BILL,
        adjustment=None,
        state__in=(*XERO_STATUS_STATES[XeroStatus.SYNCED], *XERO_STATUS_STATES[XeroStatus.ON_ITS_WAY]),
    )
    return invoices.filter(~Exists(settled)).order_by("issue_date", "id")


def invoice_sync_events(*, invoice: PurchaseInvoice, limit: int = 20) -> list[SyncEvent]:
    return list(SyncEvent.objects.filter(invoice=invoice).order_by("-created_at", "-id")[:limit])


def invoices_for_sync(*, account: Account, invoice_ids: list[int]) -> list[PurchaseInvoice]:
    return list(PurchaseInvoice.objects.for_account(account).filter(pk__in=invoice_ids[:MAX_BULK]))


@dataclass(frozen=True)
class SyncProgress:
    total: int
    by_state: dict[str, int]

    @property
    def done(self) -> int:
        return sum(
            n
            for state, n in self.by_state.items()
            if state not in (SyncState.PENDING, SyncState.SENDING, SyncState.UNKNOWN)
        )

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 100


def sync_progress(*, account: Account, invoice_ids: list[int]) -> SyncProgress:
    """The bills of these invoices by state; ids that are not the account's bills (made up, another account's)
    count for nothing, so the page stops once the bills it knows are done."""
    rows = AccountingSync.objects.for_account(account).filter(
        invoice_id__in=invoice_ids[:MAX_BULK], kind=SyncKind.BILL, adjustment=None
    )
    by_state = {row["state"]: row["n"] for row in rows.values("state").annotate(n=Count("id")).order_by()}
    return SyncProgress(total=sum(by_state.values()), by_state=by_state)


@dataclass(frozen=True)
class SyncLogFilter:
    state: str = ""
    vendor_id: int | None = None
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    invoice_ids: tuple[int, ...] = ()  # the rows of these invoices alone (from a bulk sync's progress)


def sync_log(*, account: Account, filters: SyncLogFilter) -> QuerySet[AccountingSync]:
    rows = AccountingSync.objects.for_account(account).select_related("invoice__vendor", "xero_account")
    if filters.state:
        rows = rows.filter(state=filters.state)
    if filters.vendor_id:
        rows = rows.filter(invoice__vendor_id=filters.vendor_id)
    if filters.date_from:
        rows = rows.filter(updated_at__date__gte=filters.date_from)
    if filters.date_to:
        rows = rows.filter(updated_at__date__lte=filters.date_to)
    if filters.invoice_ids:
        rows = rows.filter(invoice_id__in=filters.invoice_ids[:MAX_BULK])
    return rows.order_by("-updated_at", "-id")


WAITING_FOR_A_PERSON = (SyncState.FAILED, SyncState.NEEDS_ATTENTION, SyncState.PAUSED)


def waiting_for_a_person(*, account: Account) -> dict[str, int]:
    """The account's documents that wait for someone to act, by state (the top bar's count, the daily digest)."""
    rows = AccountingSync.objects.for_account(account).filter(state__in=WAITING_FOR_A_PERSON)
    return {row["state"]: row["n"] for row in rows.values("state").annotate(n=Count("id")).order_by()}


def sync_counts(*, account: Account) -> dict[str, int]:
    rows = AccountingSync.objects.for_account(account).values("state").annotate(n=Count("id")).order_by()
    return {row["state"]: row["n"] for row in rows}
