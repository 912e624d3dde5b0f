"""Reads of the Xero integration; every one that starts from a request takes the acting account."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from integrations.models import (
    ContactImportState,
    XeroAccount,
    XeroContact,
    XeroContactImport,
    XeroContactStatus,
)
from integrations.xero.ratelimit import DayUsage, RateLimiter
from onport.models import Account


def xero_account_get(*, account: Account, xero_account_id: int) -> XeroAccount:
    """One of the account's Xero accounts; another account's (or a missing one) is a 404."""
    return get_object_or_404(XeroAccount.objects.for_account(account), pk=xero_account_id)


def xero_accounts_list(*, account: Account) -> QuerySet[XeroAccount]:
    return XeroAccount.objects.for_account(account)


def contact_import_latest(*, xero_account: XeroAccount) -> XeroContactImport | None:
    return xero_account.contact_imports.order_by("-started_at", "-id").first()


def contact_import_last_done(*, xero_account: XeroAccount) -> XeroContactImport | None:
    return xero_account.contact_imports.filter(state=ContactImportState.DONE).order_by("-started_at", "-id").first()


def xero_day_usage(*, xero_account: XeroAccount) -> DayUsage | None:
    """Calls to the chosen organisation in the last 24 hours, against Xero's day limit (None before a Tenant)."""
    return RateLimiter(xero_account.tenant_id).day_usage() if xero_account.tenant_id else None


def xero_contacts_summary(*, xero_account: XeroAccount) -> dict:
    """What the Contacts section of a Xero account page shows (a few queries)."""
    contacts = XeroContact.objects.filter(xero_account=xero_account)
    latest = contact_import_latest(xero_account=xero_account)
    return {
        "xero_account": xero_account,
        "latest": latest,
        "last_done": latest
        if latest and latest.state == ContactImportState.DONE
        else contact_import_last_done(xero_account=xero_account),
        "running": bool(latest and latest.state == ContactImportState.RUNNING),
        "total": contacts.count(),
        "archived": contacts.exclude(status=XeroContactStatus.ACTIVE).count(),
    }
