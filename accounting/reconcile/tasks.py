"""Reconcile with Xero in the background: one comparison, retried later on a rate limit or an outage."""

from celery import shared_task

from accounting.reconcile import services
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
    """Celery beat, once a day: the nightly check of every connected Xero account."""
    return services.nightly_start_all()
