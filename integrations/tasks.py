from celery import shared_task

from integrations import services
from integrations.models import XeroAccount, XeroAccountStatus
from integrations.xero.errors import XeroRateLimited, XeroUnavailable


@shared_task
def xero_keepalive_all() -> None:
    """Daily: one keep-alive task per connected Xero account."""
    ids = XeroAccount.objects.filter(status=XeroAccountStatus.CONNECTED).exclude(refresh_token="").values_list("pk", flat=True)
    for xero_account_id in ids:
        xero_keepalive.delay(xero_account_id)


@shared_task(autoretry_for=(XeroUnavailable, XeroRateLimited), retry_backoff=60, retry_kwargs={"max_retries": 5})
def xero_keepalive(xero_account_id: int) -> None:
    xero_account = XeroAccount.objects.filter(pk=xero_account_id, status=XeroAccountStatus.CONNECTED).first()
    if xero_account is not None:
        services.xero_account_keepalive(xero_account=xero_account)
