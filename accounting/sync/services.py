"""Asking for an invoice's documents to be in Xero: its bill, and its adjustments' credit notes and bills.

One AccountingSync row per invoice: a second request for the same invoice finds the same row, which
alone stops double clicks and manual-versus-automatic races. `accounting.sync.outbox` sends the rows.
"""

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from accounting.setup.selectors import accounting_settings_read
from accounting.sync.inputs import adjustment_of, sync_kind_for
from accounting.outbox.models import Priority, Reason
from accounting.outbox.queue import drain_queue_now
from accounting.outbox.results import Outcome
from accounting.sync.models import AccountingSync, SyncEvent, SyncKind, SyncState
from accounting.sync.payments import bill_payments_request, bill_payments_retry
from accounting.sync.records import syncs_record
from invoicing.models import InvoiceAdjustment, InvoiceStatus, PurchaseInvoice
from onport.events import AdjustmentAdded, InvoiceIssued
from onport.models import Account
from onport.errors import ApplicationError

IN_FLIGHT = (SyncState.SENDING, SyncState.UNKNOWN)


class SyncRefused(ApplicationError):
    """The invoice cannot be synced now; the message says why and what to do."""


def drain_queue(xero_account_id: int, priority: int = Priority.AUTOMATIC) -> None:
    """Drain the Xero account once the current transaction commits, queued as urgently as `priority` says."""
    from accounting.sync.tasks import xero_drain  # tasks import the engine

    transaction.on_commit(lambda: drain_queue_now(xero_drain, xero_account_id, priority))


def sync_request(*, invoice: PurchaseInvoice, actor=None, automatic: bool = False, how: str = "") -> AccountingSync:
    """Ask for the invoice's bill to be created (or brought up to date) in Xero; idempotent.

    A person's request goes ahead of automatic syncs, and those ahead of a backfill (`sync_request_many`).
    """
    return sync_request_many(account=invoice.account, invoices=[invoice], actor=actor, automatic=automatic, how=how)[0]


def sync_request_many(
    *,
    account: Account,
    invoices: Iterable[PurchaseInvoice],
    actor=None,
    automatic: bool = False,
    how: str = "",
    backfill: bool = False,
) -> list[AccountingSync]:
    setup = accounting_settings_read(account=account)
    xero_account = setup.xero_account
    if xero_account is None:
        raise SyncRefused("Choose the Xero account to sync to in Setup > Accounting first.")
    invoices = list(invoices)
    refused = [
        invoice.number for invoice in invoices if invoice.status not in (InvoiceStatus.ISSUED, InvoiceStatus.PAID)
    ]
    if refused:
        raise SyncRefused(
            f"Only issued invoices are synced: {', '.join(refused[:5])} {'is' if len(refused) == 1 else 'are'} not."
        )
    now = timezone.now()
    how = how or ("automatically on issue" if automatic else "by " + (actor.email if actor else "Onport"))
    priority = Priority.BACKFILL if backfill else Priority.AUTOMATIC if automatic else Priority.MANUAL
    with transaction.atomic():
        # Lock the invoices first: a request for an invoice without a row yet has no row to lock.
        list(
            PurchaseInvoice.objects.select_for_update()
            .filter(pk__in=[invoice.pk for invoice in invoices])
            .values_list("pk")
        )
        existing = {
            sync.invoice_id: sync
            for sync in AccountingSync.objects.select_for_update().filter(
                invoice__in=invoices, kind=SyncKind.BILL, adjustment=None
            )
        }
        created = AccountingSync.objects.bulk_create(
            AccountingSync(
                account=account,
                xero_account=xero_account,
                invoice=invoice,
                kind=SyncKind.BILL,
                requested_by=actor,
                next_attempt_at=now,
                priority=priority,
            )
            for invoice in invoices
            if invoice.pk not in existing
        )
        outcomes = [Outcome(sync, SyncState.PENDING, Reason.REQUESTED, f"Sync requested {how}.") for sync in created]
        in_flight = [sync for sync in existing.values() if sync.state in IN_FLIGHT]
        SyncEvent.objects.bulk_create(  # a double click or manual-vs-automatic: the same row, already going
            SyncEvent(
                account_id=sync.account_id,
                sync=sync,
                invoice_id=sync.invoice_id,
                state=sync.state,
                reason=Reason.ALREADY_ON_ITS_WAY,
                message=f"Sync requested {how}; it is already on its way to Xero.",
            )
            for sync in in_flight
        )
        # a person asks for a row already in a batch: should the batch come back (a rate limit), it is theirs
        AccountingSync.objects.filter(pk__in=[sync.pk for sync in in_flight], priority__gt=priority).update(
            priority=priority
        )
        for sync in existing.values():
            if sync.state in IN_FLIGHT:
                continue
            sync.next_attempt_at, sync.requested_by = now, actor
            sync.priority = min(sync.priority, priority) if sync.state == SyncState.PENDING else priority
            sync.xero_account = sync.xero_account if sync.xero_id else xero_account
            outcomes.append(Outcome(sync, SyncState.PENDING, Reason.REQUESTED, f"Sync requested {how}."))
        syncs_record(outcomes, fields=["next_attempt_at", "requested_by", "xero_account", "priority"])
        syncs = [*created, *existing.values()]
        if setup.adjustments_enabled_by_staff and setup.sync_adjustments:
            adjustments_request(invoices=invoices, xero_account=xero_account, actor=actor, how=how, priority=priority)
        drain_queue(xero_account.pk, priority)
        bill_payments_request(invoices=invoices, setup=setup)  # paid invoices, when Setup records payments
    return syncs


def adjustments_request(
    *, invoices: list[PurchaseInvoice], xero_account, actor=None, how: str = "", priority: int = Priority.AUTOMATIC
) -> int:
    """Rows for the invoices' adjustments not in Xero yet (credit notes, debit bills); they wait for the bill."""
    adjustments = list(InvoiceAdjustment.objects.filter(invoice__in=invoices, syncs__isnull=True))
    created = AccountingSync.objects.bulk_create(
        AccountingSync(
            account_id=adjustment.account_id,
            xero_account=xero_account,
            invoice_id=adjustment.invoice_id,
            adjustment=adjustment,
            kind=sync_kind_for(adjustment),
            requested_by=actor,
            next_attempt_at=timezone.now(),
            priority=priority,
        )
        for adjustment in adjustments
    )
    labels: dict[str, str] = {SyncKind.CREDIT_NOTE: "Credit note", SyncKind.DEBIT_BILL: "Adjustment bill"}
    syncs_record(
        [
            Outcome(
                sync,
                SyncState.PENDING,
                Reason.REQUESTED,
                f"{labels[sync.kind]} for the {adjustment_of(sync).amount} adjustment requested {how}.",
            )
            for sync in created
        ],
        fields=[],
    )
    return len(created)


def invoice_issued_sync(event: InvoiceIssued) -> None:
    """Setup > Accounting's automatic sync: an issued invoice of a kind with the flag on is queued."""
    invoice = PurchaseInvoice.objects.select_related("account").get(pk=event.invoice_id)
    setup = accounting_settings_read(account=invoice.account)
    if setup.xero_account_id and setup.auto_sync_for(invoice.kind):
        try:
            sync_request(invoice=invoice, automatic=True)
        except SyncRefused:
            pass  # e.g. voided meanwhile: nothing to sync


def sync_retry(*, account: Account, states: Iterable[str], actor=None) -> int:
    """Retry failed (or stuck) rows now, even though nothing changed; returns how many."""
    states = list(states)
    payments = bill_payments_retry(account=account, states=states)
    rows = list(AccountingSync.objects.for_account(account).filter(state__in=states))
    if not rows:
        return payments
    now = timezone.now()
    for row in rows:
        row.next_attempt_at, row.priority = now, Priority.MANUAL
    who = actor.email if actor else "Onport"
    syncs_record(
        [Outcome(row, SyncState.PENDING, Reason.RETRY_REQUESTED, f"Retry requested by {who}.") for row in rows],
        fields=["next_attempt_at", "priority"],
    )
    for xero_account_id in {row.xero_account_id for row in rows}:
        drain_queue(xero_account_id, Priority.MANUAL)
    return len(rows) + payments


def adjustment_added_sync(event: AdjustmentAdded) -> None:
    """Sync adjustments (when support enabled it and the account switched it on): queue the new one."""
    adjustment = InvoiceAdjustment.objects.select_related("invoice__account").get(pk=event.adjustment_id)
    setup = accounting_settings_read(account=adjustment.invoice.account)
    bill = AccountingSync.objects.filter(invoice=adjustment.invoice, kind=SyncKind.BILL, adjustment=None).first()
    if setup.adjustments_enabled_by_staff and setup.sync_adjustments and bill is not None:
        with transaction.atomic():
            adjustments_request(invoices=[adjustment.invoice], xero_account=bill.xero_account, how="automatically")
            drain_queue(bill.xero_account_id)
