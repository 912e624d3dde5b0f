"""Celery tasks of automated vendor payout: the scheduled runs and the Xero payments drain.

Beat entries (onport/settings.py CELERY_BEAT_SCHEDULE):
    "payouts-schedule": {"task": "accounting.payouts.tasks.payouts_schedule", "schedule": 60 * 60},
    "payouts-payments-sweep": {"task": "accounting.payouts.tasks.payout_payments_sweep", "schedule": 60},
Every task refuses accounts below the Advance plan.
"""

from celery import shared_task

from accounting.outbox.queue import drain_turn, drains_queue_due
from accounting.payouts import errors, schedule
from accounting.payouts.payments import PAYMENT_OUTBOX, payments_drain, payments_sweep
from integrations.models import XeroAccount
from onport.models import Account


@shared_task
def payouts_schedule() -> list[int]:
    """Hourly (beat): queue a run for every account whose payout schedule is due."""
    due = schedule.payout_accounts_due()
    for account_id in due:
        payout_run_scheduled.delay(account_id)
    return due


@shared_task
def payout_run_scheduled(account_id: int) -> dict:
    """Collect one account's scheduled run; it waits on the review screen for an admin's approval."""
    account = Account.objects.get(pk=account_id)
    try:
        run = schedule.payout_run_scheduled(account=account)
    except errors.PayoutRefused as refused:
        return {"refused": refused.message}
    return {"run": run.pk if run else None}


@shared_task(acks_late=True, bind=True)
def payout_payments_drain(self, xero_account_id: int, urgent_only: bool = False) -> dict:
    """Record a Xero account's due payout payments; come back when Xero's rate limit or a back-off says so."""
    xero_account = XeroAccount.objects.select_related("account").get(pk=xero_account_id)
    if not errors.payouts_allowed(xero_account.account):
        return {"refused": errors.PLAN_MESSAGE}
    report = drain_turn(self, payments_drain, xero_account_id, urgent_only=urgent_only)
    return {"batches": report.batches, "recorded": report.synced, "failed": report.failed, "adopted": report.adopted}


@shared_task
def payout_payments_sweep() -> None:
    """Every minute (beat): expired leases, reconnected accounts; then drain what is due."""
    drains_queue_due(payout_payments_drain, PAYMENT_OUTBOX, payments_sweep())
