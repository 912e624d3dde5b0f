from celery import shared_task
from django.contrib.auth import get_user_model

from accounting.outbox.queue import drain_turn, drains_queue_due
from accounting.setup.models import TrackingRule
from accounting.setup.tracking import TrackingUnavailable, tracking_copy_refresh
from accounting.sync.backfill import backfill_run
from accounting.sync.digest import accounts_waiting, daily_digest_send
from accounting.sync.outbox import DOCUMENTS, drain
from accounting.sync.documents import BILL_DOCUMENTS, bill_documents_drain
from accounting.sync.notes import BILL_NOTES, bill_notes_drain
from accounting.sync.payments import BILL_PAYMENTS, bill_payments_drain
from accounting.sync.sweep import sweep
from integrations.models import XeroAccount
from integrations.services import xero_lock_dates_read
from integrations.xero.errors import XeroError
from integrations.xero_lists import ListsUnavailable, xero_lists_forget, xero_lists_get
from onport.models import Account


@shared_task(acks_late=True, bind=True)
def xero_drain(self, xero_account_id: int, urgent_only: bool = False) -> dict:
    """Send a Xero account's due bills for a turn; come back when the budget or a back-off says so."""
    report = drain_turn(self, drain, xero_account_id, urgent_only=urgent_only)
    return {"batches": report.batches, "synced": report.synced, "failed": report.failed, "adopted": report.adopted}


@shared_task(acks_late=True, bind=True)
def bill_payments_drain_task(self, xero_account_id: int, urgent_only: bool = False) -> dict:
    """Record a Xero account's due payments of invoices marked paid; come back when Xero says so."""
    report = drain_turn(self, bill_payments_drain, xero_account_id, urgent_only=urgent_only)
    return {"batches": report.batches, "recorded": report.synced, "failed": report.failed, "adopted": report.adopted}


@shared_task(acks_late=True, bind=True)
def bill_notes_drain_task(self, xero_account_id: int, urgent_only: bool = False) -> dict:
    """Write a Xero account's due notes on bills' history (the vendor's number), behind everything else."""
    report = drain_turn(self, bill_notes_drain, xero_account_id, urgent_only=urgent_only)
    return {"batches": report.batches, "written": report.synced, "failed": report.failed, "adopted": report.adopted}


@shared_task(acks_late=True, bind=True)
def bill_documents_drain_task(self, xero_account_id: int, urgent_only: bool = False) -> dict:
    """Attach a Xero account's due invoice documents to their bills, behind everything else."""
    report = drain_turn(self, bill_documents_drain, xero_account_id, urgent_only=urgent_only)
    return {"batches": report.batches, "attached": report.synced, "failed": report.failed, "adopted": report.adopted}


@shared_task(acks_late=True)
def sync_backfill(account_id: int, actor_id: int | None = None) -> int:
    """Setup > Accounting › Earlier invoices: ask for a bill for each, a chunk at a time."""
    account = Account.objects.get(pk=account_id)
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    return backfill_run(account=account, actor=actor)


@shared_task
def accounting_sweep() -> None:
    """Every minute (beat): expired leases, reconnected accounts, changed invoices; then drain what is due."""
    drains_queue_due(xero_drain, DOCUMENTS, sweep())
    drains_queue_due(bill_payments_drain_task, BILL_PAYMENTS, BILL_PAYMENTS.sweep())
    drains_queue_due(bill_notes_drain_task, BILL_NOTES, BILL_NOTES.sweep())
    drains_queue_due(bill_documents_drain_task, BILL_DOCUMENTS, BILL_DOCUMENTS.sweep())


@shared_task
def sync_digest_all() -> int:
    """Each morning (beat): the daily digest of every account where something waits for a person."""
    return sum(1 for account_id in accounts_waiting() if daily_digest_send(account_id=account_id))


@shared_task
def xero_lists_refresh(xero_account_id: int) -> None:
    """Xero refused a bill's account code, tax type or currency: read its accounts, tax rates and currencies again
    (Onport's copy of the enabled currencies with them)."""
    xero_account = XeroAccount.objects.filter(pk=xero_account_id).first()
    if xero_account is None or not xero_account.is_ready:
        return
    xero_lists_forget(xero_account=xero_account)
    try:
        xero_lists_get(xero_account=xero_account, fresh=True)
    except ListsUnavailable:
        pass  # the next page that needs them reads them
    if TrackingRule.objects.filter(xero_account=xero_account).exists():
        try:
            tracking_copy_refresh(xero_account=xero_account)  # the preflight then holds bills with an archived option
        except TrackingUnavailable:
            pass


@shared_task
def xero_lock_dates_refresh(xero_account_id: int) -> None:
    """Xero refused a bill for its date: read the organisation's lock dates again (the invoice page shows them)."""
    xero_account = XeroAccount.objects.filter(pk=xero_account_id).first()
    if xero_account is None or not xero_account.is_ready:
        return
    try:
        xero_lock_dates_read(xero_account=xero_account)
    except XeroError:
        pass  # shown as "for the bill's date" until the next refusal or "Post on the first open day" reads them
