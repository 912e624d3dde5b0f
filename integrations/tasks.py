from celery import shared_task

from integrations import contact_import, services
from integrations.models import XeroAccount, XeroAccountStatus, XeroContactImport
from integrations.xero.errors import XeroRateLimited, XeroUnavailable
from onport.locks import exclusive


@shared_task
def xero_keepalive_all() -> None:
    """Daily: one keep-alive task per connected Xero account."""
    ids = (
        XeroAccount.objects.filter(status=XeroAccountStatus.CONNECTED)
        .exclude(refresh_token="")
        .values_list("pk", flat=True)
    )
    for xero_account_id in ids:
        xero_keepalive.delay(xero_account_id)


@shared_task(autoretry_for=(XeroUnavailable, XeroRateLimited), retry_backoff=60, retry_kwargs={"max_retries": 5})
def xero_keepalive(xero_account_id: int) -> None:
    xero_account = XeroAccount.objects.filter(pk=xero_account_id, status=XeroAccountStatus.CONNECTED).first()
    if xero_account is not None:
        services.xero_account_keepalive(xero_account=xero_account)


# -- the organisation's contacts -------------------------------------------------------------------

CONTACT_IMPORT_LOCK_SECONDS = 15 * 60
CONTACT_IMPORT_MAX_RETRIES = 8


@shared_task(bind=True, max_retries=CONTACT_IMPORT_MAX_RETRIES)
def xero_contacts_import(self, import_id: int) -> None:
    """Run one contact import; on a rate limit or an outage, retry later from the page it reached."""
    xero_account_id = XeroContactImport.objects.filter(pk=import_id).values_list("xero_account_id", flat=True).first()
    if xero_account_id is None:
        return
    with exclusive(f"xero-contact-import:{xero_account_id}", seconds=CONTACT_IMPORT_LOCK_SECONDS) as held:
        if held is None:  # another worker is importing this organisation
            if self.request.retries < self.max_retries:
                raise self.retry(countdown=30)
            return
        try:
            contact_import.contact_import_run(import_id=import_id)
            return
        except XeroRateLimited as error:
            countdown, problem = max(error.retry_after, 1), error.message
        except XeroUnavailable as error:
            countdown, problem = min(60 * 2**self.request.retries, 15 * 60), error.message
    if self.request.retries >= self.max_retries:
        contact_import.contact_import_fail(import_id=import_id, error=f"Xero kept refusing: {problem}")
        return
    raise self.retry(countdown=countdown)
