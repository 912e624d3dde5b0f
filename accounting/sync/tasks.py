from celery import shared_task
from django.utils import timezone

from accounting.sync.outbox import drain
from accounting.sync.payments import BILL_PAYMENTS, bill_payments_drain
from accounting.sync.sweep import sweep


@shared_task(acks_late=True)
def xero_drain(xero_account_id: int) -> dict:
    """Send a Xero account's due bills; come back when Xero's rate limit or a back-off says so."""
    report = drain(xero_account_id=xero_account_id)
    if report.retry_at:
        xero_drain.apply_async((xero_account_id,), countdown=max((report.retry_at - timezone.now()).total_seconds(), 1))
    return {"batches": report.batches, "synced": report.synced, "failed": report.failed, "adopted": report.adopted}


@shared_task(acks_late=True)
def bill_payments_drain_task(xero_account_id: int) -> dict:
    """Record a Xero account's due payments of invoices marked paid; come back when Xero says so."""
    report = bill_payments_drain(xero_account_id=xero_account_id)
    if report.retry_at:
        countdown = max((report.retry_at - timezone.now()).total_seconds(), 1)
        bill_payments_drain_task.apply_async((xero_account_id,), countdown=countdown)
    return {"batches": report.batches, "recorded": report.synced, "failed": report.failed, "adopted": report.adopted}


@shared_task
def accounting_sweep() -> None:
    """Every minute (beat): expired leases, reconnected accounts, changed invoices; then drain what is due."""
    for xero_account_id in sweep():
        xero_drain.delay(xero_account_id)
    for xero_account_id in BILL_PAYMENTS.sweep():
        bill_payments_drain_task.delay(xero_account_id)
