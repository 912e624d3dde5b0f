"""Reconcile with Xero in the background (one comparison, retried later on a rate limit or an outage), and
process Xero's webhook events."""

from celery import shared_task

from accounting.reconcile import services, webhooks
from integrations.xero.errors import XeroError, XeroRateLimited, XeroUnavailable
from onport.locks import exclusive

RECONCILE_LOCK_SECONDS = 15 * 60
RECONCILE_MAX_RETRIES = 8


@shared_task(bind=True, max_retries=RECONCILE_MAX_RETRIES)
def xero_reconcile(self, reconciliation_id: int) -> None:
    with exclusive(f"xero-reconcile:{reconciliation_id}", seconds=RECONCILE_LOCK_SECONDS) as held:
        if held is None:  # a redelivered message while the first worker still runs it
            return
        try:
            services.reconciliation_run(reconciliation_id=reconciliation_id)
            return
        except XeroRateLimited as error:
            countdown, problem = max(error.retry_after, 1), error.message
        except XeroUnavailable as error:
            countdown, problem = min(60 * 2**self.request.retries, 15 * 60), error.message
        except XeroError as error:
            services.reconciliation_fail(reconciliation_id=reconciliation_id, error=error.message)
            return
    if self.request.retries >= self.max_retries:
        services.reconciliation_fail(reconciliation_id=reconciliation_id, error=f"Xero kept refusing: {problem}")
        return
    raise self.retry(countdown=countdown)


@shared_task
def xero_reconcile_nightly_all() -> int:
    """Celery beat, once a day: the nightly check of every connected Xero account (and old webhook events go)."""
    webhooks.webhook_events_prune()
    return services.nightly_start_all()


WEBHOOK_LOCK_SECONDS = 10 * 60
WEBHOOK_MAX_RETRIES = 12


@shared_task(bind=True, max_retries=WEBHOOK_MAX_RETRIES)
def xero_webhook_events(self) -> None:
    """Process the webhook events Xero sent; one worker at a time, which goes on until none is pending."""
    with exclusive("xero-webhook-events", seconds=WEBHOOK_LOCK_SECONDS) as held:
        if held is None:  # the worker holding it takes these too, or the check below finds them
            return
        try:
            webhooks.webhook_events_process()
            problem = None
        except XeroRateLimited as error:
            countdown, problem = max(error.retry_after, 1), error
        except XeroUnavailable as error:
            countdown, problem = min(30 * 2**self.request.retries, 15 * 60), error
    if problem is not None:
        raise self.retry(countdown=countdown, exc=problem)
    if webhooks.webhook_events_pending():  # arrived while the lock was held, after the last look
        xero_webhook_events.apply_async(countdown=1)
