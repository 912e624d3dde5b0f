"""Reconcile with Xero: start a comparison of a date range in the background, run it, keep what differs.

A run reads the range's bills in pages of 1,000 (light fields), the supplier credit notes from the start
of the range, and by id any bill Onport sent that is dated outside it: 10,000 bills cost about a dozen
calls. Then `compare` says what differs, and the lines and per-vendor totals are saved in one go.
"""

import datetime
from collections import defaultdict
from decimal import Decimal
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.urls import Resolver404, resolve
from django.utils import timezone

from accounting.reconcile.alerts import drift_email, drift_notices_update
from accounting.reconcile.compare import Comparison, Expected, compare
from accounting.reconcile.models import BillSeen, Reconciliation, ReconciliationLine, ReconciliationState, VendorTotal
from accounting.setup.selectors import accounting_settings_read
from accounting.sync.models import AccountingSync, SyncKind, SyncState
from integrations.models import XeroAccount
from integrations.services import xero_client
from integrations.xero.bill_pages import (
    XeroBill,
    XeroCreditNote,
    bills_by_id,
    bills_modified_page,
    bills_page,
    supplier_credit_notes_page,
)
from integrations.xero.client import XeroClient
from integrations.xero.ratelimit import share_for_background
from invoicing.models import AdjustmentKind, InvoiceAdjustment, InvoiceStatus, PurchaseInvoice

STALE_AFTER = datetime.timedelta(minutes=30)  # a "running" comparison older than this died with its worker
MOST_DAYS = 366
NIGHTLY_DAYS = 92  # the nightly check compares about a quarter's invoices, and older bills changed since
CHANGED_MARGIN = datetime.timedelta(minutes=10)  # Xero's clock and ours may differ a little
RECONCILED = (InvoiceStatus.ISSUED, InvoiceStatus.PAID, InvoiceStatus.VOID)


class ReconcileRefused(Exception):
    """The range cannot be compared; the message says why in the form's words."""


def reconciliation_start(
    *, xero_account: XeroAccount, date_from: datetime.date, date_to: datetime.date, actor=None, nightly: bool = False
) -> Reconciliation:
    """Start a comparison in the background, or return the one already running for this Xero account."""
    from accounting.reconcile.tasks import xero_reconcile  # tasks import this module

    if date_to < date_from:
        raise ReconcileRefused("The end of the range is before its start.")
    if (date_to - date_from).days >= MOST_DAYS:
        raise ReconcileRefused("Compare at most a year at a time.")
    with transaction.atomic():
        XeroAccount.objects.select_for_update().filter(pk=xero_account.pk).first()  # one starter at a time
        running = xero_account.reconciliations.filter(state=ReconciliationState.RUNNING).first()
        if running is not None and running.started_at > timezone.now() - STALE_AFTER:
            return running
        if running is not None:
            _finish(
                running, ReconciliationState.FAILED, error="It stopped without finishing; a new comparison replaced it."
            )
        reconciliation = Reconciliation.objects.create(
            account_id=xero_account.account_id,
            xero_account=xero_account,
            date_from=date_from,
            date_to=date_to,
            requested_by=actor,
            nightly=nightly,
        )
        transaction.on_commit(lambda: xero_reconcile.delay(reconciliation.pk))
    return reconciliation


def reconciliation_run(*, reconciliation_id: int) -> Reconciliation:
    """Read Xero and compare. Rate limits and outages are raised for the task to retry (from the start:
    a run is a dozen calls); any other Xero error ends it as failed, in plain words."""
    reconciliation = Reconciliation.objects.select_related("xero_account").get(pk=reconciliation_id)
    if reconciliation.state != ReconciliationState.RUNNING:
        return reconciliation
    expected = expectations(reconciliation)
    Reconciliation.objects.filter(pk=reconciliation.pk).update(invoices_expected=len(expected), bills_read=0)
    client = xero_client(reconciliation.xero_account)
    client.share = share_for_background(backfill=False)  # a person waits for it, but leaves room for syncs
    try:
        bills, notes = _read_xero(client, reconciliation, expected)
        changed = _changed_since_last_night(client, reconciliation, bills) if reconciliation.nightly else []
    finally:
        Reconciliation.objects.filter(pk=reconciliation.pk).update(calls=F("calls") + client.calls)
    known, account_invoices = _known(reconciliation, bills)
    comparison = compare(
        expected, bills, notes, known_ids=known, invoice_of_url=invoice_of_url, account_invoice_ids=account_invoices
    )
    _save(reconciliation, comparison)
    bills_seen_record(xero_account=reconciliation.xero_account, bills=bills.values())
    reconciliation = Reconciliation.objects.get(pk=reconciliation.pk)
    if reconciliation.nightly:
        _nightly_alert(reconciliation, expected, bills, changed)
    return reconciliation


def _changed_since_last_night(client: XeroClient, reconciliation: Reconciliation, bills: dict[str, XeroBill]) -> list:
    """Onport's bills dated before the range that changed in Xero since the last nightly check (If-Modified-Since):
    recorded, and their new differences returned. The first night has no "since": the range is all it reads."""
    from accounting.reconcile.judge import bills_judge, onport_bills  # judge builds on this module

    last = (
        Reconciliation.objects.filter(
            xero_account=reconciliation.xero_account, nightly=True, state=ReconciliationState.DONE
        )
        .exclude(pk=reconciliation.pk)
        .order_by("-started_at")
        .first()
    )
    if last is None:
        return []
    changed: dict[str, XeroBill] = {}
    page = 1
    while True:
        answer = bills_modified_page(client, since=last.started_at - CHANGED_MARGIN, page=page)
        changed.update((bill.xero_id, bill) for bill in answer.items if bill.xero_id not in bills)
        if not answer.has_more:
            break
        page += 1
    rows = onport_bills(xero_account=reconciliation.xero_account, xero_ids=changed)
    ours = {row.xero_id.lower(): row.invoice_id for row in rows}
    if not ours:
        return []
    return bills_judge(
        xero_account=reconciliation.xero_account,
        bills={xero_id: bill for xero_id, bill in changed.items() if xero_id in ours},
        invoice_ids=set(ours.values()),
    )


def _nightly_alert(
    reconciliation: Reconciliation, expected: list[Expected], bills: dict[str, XeroBill], changed: list
) -> None:
    xero_account = reconciliation.xero_account
    lines = list(reconciliation.lines.all())
    new = drift_notices_update(
        xero_account=xero_account,
        found=lines,
        judged_invoice_ids={invoice.invoice_id for invoice in expected},
        judged_xero_ids=set(bills),
    )
    why = f"Tonight's check of {' '.join(xero_account.name.split())} found what Xero and Onport no longer agree on:"
    transaction.on_commit(lambda: drift_email(xero_account=xero_account, found=new + changed, why=why))


def _known(reconciliation: Reconciliation, bills: dict[str, XeroBill]) -> tuple[set[str], set[int]]:
    """Of the bills read, those Onport sent to this Xero account; and of the invoices their links name, those
    of this account (two queries on what was read, not on every row the account has)."""
    ids = list(bills)
    sent = AccountingSync.objects.filter(
        account_id=reconciliation.account_id,
        xero_account=reconciliation.xero_account,
        xero_id__in=ids + [xero_id.upper() for xero_id in ids],
    )
    known = {xero_id.lower() for xero_id in sent.values_list("xero_id", flat=True)}
    named = (invoice_of_url(bill.url) for xero_id, bill in bills.items() if xero_id not in known)
    linked = {invoice_id for invoice_id in named if invoice_id is not None}
    mine = PurchaseInvoice.objects.filter(account_id=reconciliation.account_id, pk__in=linked)
    return known, set(mine.values_list("pk", flat=True))


def reconciliation_fail(*, reconciliation_id: int, error: str) -> None:
    reconciliation = Reconciliation.objects.get(pk=reconciliation_id)
    _finish(reconciliation, ReconciliationState.FAILED, error=error)


def expectations(reconciliation: Reconciliation) -> list[Expected]:
    """The range's invoices that belong in this Xero account, each with the ids of what Onport sent."""
    invoices = PurchaseInvoice.objects.filter(
        account_id=reconciliation.account_id,
        status__in=RECONCILED,
        issue_date__gte=reconciliation.date_from,
        issue_date__lte=reconciliation.date_to,
    )
    return expectations_for(xero_account=reconciliation.xero_account, invoices=invoices)


def expectations_for(*, xero_account: XeroAccount, invoices) -> list[Expected]:
    """These invoices (a queryset of the Xero account's Onport account), as far as they belong in this Xero account."""
    setup = accounting_settings_read(account=xero_account.account)
    invoices = list(
        invoices.filter(account_id=xero_account.account_id, status__in=RECONCILED)
        .select_related("vendor")
        .order_by("issue_date", "id")
    )
    syncs = defaultdict(list)
    for sync in AccountingSync.objects.filter(invoice__in=invoices).select_related("adjustment"):
        syncs[sync.invoice_id].append(sync)
    adjustments: defaultdict[int, dict[str, Decimal]] = defaultdict(
        lambda: {AdjustmentKind.CREDIT: Decimal("0.00"), AdjustmentKind.DEBIT: Decimal("0.00")}
    )
    for adjustment in InvoiceAdjustment.objects.filter(invoice__in=invoices):
        adjustments[adjustment.invoice_id][adjustment.kind] += adjustment.amount
    expected = []
    for invoice in invoices:
        rows = syncs[invoice.pk]
        bill_row = next((row for row in rows if row.kind == SyncKind.BILL and row.adjustment_id is None), None)
        elsewhere = bill_row is not None and bill_row.xero_account_id != xero_account.pk
        if elsewhere or (bill_row is None and setup.xero_account_id != xero_account.pk):
            continue  # its bill belongs to another Xero account
        if invoice.status == InvoiceStatus.VOID and not (bill_row and bill_row.xero_id):
            continue  # void before it reached Xero: nothing to compare
        ours = [row for row in rows if row.xero_id and row.xero_account_id == xero_account.pk]
        expected.append(
            Expected(
                invoice_id=invoice.pk,
                number=invoice.number,
                vendor_id=invoice.vendor_id,
                vendor_name=invoice.vendor.name,
                status=invoice.status,
                total=invoice.total,
                tax_total=invoice.tax_total,
                credits=adjustments[invoice.pk][AdjustmentKind.CREDIT],
                debits=adjustments[invoice.pk][AdjustmentKind.DEBIT],
                bill_id=(bill_row.xero_id or "").lower() if bill_row else "",
                sync_note=_sync_note(bill_row),
                credit_note_ids=tuple(row.xero_id.lower() for row in ours if row.kind == SyncKind.CREDIT_NOTE),
                debit_bill_ids=tuple(row.xero_id.lower() for row in ours if row.kind == SyncKind.DEBIT_BILL),
            )
        )
    return expected


def _sync_note(row: AccountingSync | None) -> str:
    if row is None:
        return "it has never been synced."
    if row.state in (SyncState.PENDING, SyncState.SENDING, SyncState.UNKNOWN):
        return "it is on its way."
    if row.state in (SyncState.FAILED, SyncState.NEEDS_ATTENTION, SyncState.PAUSED):
        return f"its sync stopped: {row.last_error or row.get_state_display()}"
    return f"its sync is “{row.get_state_display()}”."


def _read_xero(
    client: XeroClient, reconciliation: Reconciliation, expected: list[Expected]
) -> tuple[dict[str, XeroBill], dict[str, XeroCreditNote]]:
    bills: dict[str, XeroBill] = {}
    page = 1
    while True:
        answer = bills_page(client, date_from=reconciliation.date_from, date_to=reconciliation.date_to, page=page)
        bills.update((bill.xero_id, bill) for bill in answer.items)
        Reconciliation.objects.filter(pk=reconciliation.pk).update(bills_read=len(bills))
        if not answer.has_more:
            break
        page += 1
    sent = {bill_id for invoice in expected for bill_id in (invoice.bill_id, *invoice.debit_bill_ids) if bill_id}
    outside = sorted(sent - set(bills))  # dated outside the range in Xero (or no longer there)
    if outside:
        bills.update((bill.xero_id, bill) for bill in bills_by_id(client, outside))
        Reconciliation.objects.filter(pk=reconciliation.pk).update(bills_read=len(bills))
    notes: dict[str, XeroCreditNote] = {}
    if any(invoice.credit_note_ids for invoice in expected):
        page = 1
        while True:
            answer = supplier_credit_notes_page(client, date_from=reconciliation.date_from, page=page)
            notes.update((note.xero_id, note) for note in answer.items)
            if not answer.has_more:
                break
            page += 1
    return bills, notes


def invoice_of_url(url: str) -> int | None:
    """The invoice a bill's "Go to Onport" link names, or None if it is not Onport's link."""
    if not url.startswith(settings.PUBLIC_BASE_URL):
        return None
    try:
        match = resolve(urlsplit(url).path)
    except Resolver404:
        return None
    if match.view_name != "invoicing:invoice_detail" or urlsplit(url).fragment:
        return None  # an adjustment bill's link carries #adjustment-<pk>
    return match.kwargs["invoice_id"]


def _save(reconciliation: Reconciliation, comparison: Comparison) -> None:
    with transaction.atomic():
        ReconciliationLine.objects.filter(reconciliation=reconciliation).delete()
        VendorTotal.objects.filter(reconciliation=reconciliation).delete()
        ReconciliationLine.objects.bulk_create(
            ReconciliationLine(
                reconciliation=reconciliation,
                difference=found.difference,
                invoice_id=found.invoice_id,
                vendor_id=found.vendor_id,
                xero_id=found.xero_id,
                xero_number=found.xero_number[:255],
                onport_amount=found.onport_amount,
                xero_amount=found.xero_amount,
                explanation=found.explanation[:500],
                what_to_do=found.what_to_do[:500],
            )
            for found in comparison.found
        )
        VendorTotal.objects.bulk_create(
            VendorTotal(
                reconciliation=reconciliation,
                vendor_id=vendor_id,
                vendor_name=sums.vendor_name,
                onport_payable=sums.onport_payable,
                xero_amount_due=sums.xero_amount_due,
            )
            for vendor_id, sums in comparison.by_vendor.items()
        )
        reconciliation.onport_payable = sum((s.onport_payable for s in comparison.by_vendor.values()), Decimal("0.00"))
        reconciliation.xero_amount_due = sum(
            (s.xero_amount_due for s in comparison.by_vendor.values()), Decimal("0.00")
        )
        reconciliation.save(update_fields=["onport_payable", "xero_amount_due"])
        _finish(reconciliation, ReconciliationState.DONE)


def bills_seen_record(*, xero_account: XeroAccount, bills) -> int:
    """Keep where each of Onport's bills stands in Xero now (the invoice page shows it, with when)."""
    by_id = {bill.xero_id: bill for bill in bills}
    rows = AccountingSync.objects.filter(xero_account=xero_account, kind=SyncKind.BILL, adjustment=None)
    rows = rows.filter(xero_id__in=list(by_id) + [xero_id.upper() for xero_id in by_id]).only("pk", "xero_id")
    now = timezone.now()
    seen = [
        BillSeen(
            sync_id=row.pk,
            status=bill.status,
            total=bill.total,
            amount_due=bill.amount_due,
            amount_paid=bill.amount_paid,
            paid_on=bill.fully_paid_on,
            seen_at=now,
        )
        for row in rows
        if (bill := by_id.get(row.xero_id.lower()))
    ]
    BillSeen.objects.bulk_create(
        seen,
        update_conflicts=True,
        unique_fields=["sync"],
        update_fields=["status", "total", "amount_due", "amount_paid", "paid_on", "seen_at"],
    )
    return len(seen)


def nightly_start_all() -> int:
    """The nightly check: compare the last NIGHTLY_DAYS of every connected Xero account that has bills."""
    today = timezone.localdate()
    started = 0
    with_bills = AccountingSync.objects.exclude(xero_id="").values("xero_account_id")
    for xero_account in XeroAccount.objects.filter(pk__in=with_bills):
        if xero_account.is_ready:
            reconciliation_start(
                xero_account=xero_account,
                date_from=today - datetime.timedelta(days=NIGHTLY_DAYS),
                date_to=today,
                nightly=True,
            )
            started += 1
    return started


def _finish(reconciliation: Reconciliation, state: str, *, error: str = "") -> None:
    Reconciliation.objects.filter(pk=reconciliation.pk).update(state=state, error=error, finished_at=timezone.now())
