from celery import shared_task

from accounting.setup.selectors import xero_accounts_chosen_for_accounting
from integrations import contact_import


@shared_task
def xero_contacts_refresh_all() -> None:
    """Daily (beat): an incremental contact import for every Xero account chosen for accounting."""
    for xero_account in xero_accounts_chosen_for_accounting():
        contact_import.contact_import_start(xero_account=xero_account)
