"""Onport's copy of the currencies a Xero organisation has enabled (GET /Currencies).

The preflight holds a bill in a currency missing from this copy before any call, so the copy is refreshed
whenever Xero's lists are read anyway, on choosing the organisation, after Xero refuses a bill for its currency,
and by the drain itself when a bill's currency is missing and the copy is more than a minute old (someone may
have just enabled it in Xero and pressed sync again).
"""

import datetime
from collections.abc import Iterable

from django.utils import timezone

from integrations.models import XeroAccount
from integrations.xero import settings_lists
from integrations.xero.client import XeroClient

RECHECK_AFTER = datetime.timedelta(seconds=60)


def xero_account_currencies_store(*, xero_account: XeroAccount, codes: Iterable[str]) -> XeroAccount:
    """Keep the codes as the organisation's enabled currencies, read now."""
    xero_account.enabled_currencies = sorted({code.upper() for code in codes if code})
    xero_account.currencies_read_at = timezone.now()
    XeroAccount.objects.filter(pk=xero_account.pk).update(
        enabled_currencies=xero_account.enabled_currencies, currencies_read_at=xero_account.currencies_read_at
    )
    return xero_account


def xero_account_currencies_read(*, client: XeroClient) -> XeroAccount:
    """Read the organisation's currencies from Xero (one call) and keep them; XeroError when Xero will not say."""
    currencies = settings_lists.currencies(client)
    return xero_account_currencies_store(
        xero_account=client.xero_account, codes=[currency.code for currency in currencies]
    )


def currency_enabled(xero_account: XeroAccount, code: str) -> bool:
    """Whether the organisation takes documents in `code`, as far as Onport's copy says. No copy yet (never
    read): assumed so, and Xero says otherwise if it must."""
    if not xero_account.enabled_currencies or code.upper() == xero_account.base_currency:
        return True
    return code.upper() in xero_account.enabled_currencies


def currencies_worth_rechecking(xero_account: XeroAccount, codes: Iterable[str]) -> bool:
    """A document's currency is missing from a copy read over a minute ago: it may have been enabled since."""
    missing = any(not currency_enabled(xero_account, code) for code in codes)
    read_at = xero_account.currencies_read_at
    return missing and (read_at is None or timezone.now() - read_at > RECHECK_AFTER)
