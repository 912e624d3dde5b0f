from celery import shared_task

from accounting.setup.models import TrackingRule
from accounting.setup.selectors import xero_accounts_chosen_for_accounting
from accounting.setup.tracking import TrackingUnavailable, tracking_copy_refresh
from integrations import contact_import


@shared_task
def xero_contacts_refresh_all() -> None:
    """Daily (beat): an incremental contact import for every Xero account chosen for accounting."""
    for xero_account in xero_accounts_chosen_for_accounting():
        contact_import.contact_import_start(xero_account=xero_account)


@shared_task
def xero_tracking_refresh_all() -> None:
    """Hourly (beat): read the tracking categories of every Xero account that has tracking rules (one call each),
    so an option archived in Xero holds its bills before Xero refuses them."""
    mapped = set(TrackingRule.objects.values_list("xero_account_id", flat=True).distinct())
    for xero_account in xero_accounts_chosen_for_accounting():
        if xero_account.pk in mapped:
            try:
                tracking_copy_refresh(xero_account=xero_account)
            except TrackingUnavailable:
                pass  # the next hour, the Setup page or a refusal reads it
