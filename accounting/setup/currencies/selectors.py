"""Reads of Setup > Accounting › Currencies, always through the acting account."""

from dataclasses import dataclass

from django.shortcuts import get_object_or_404

from accounting.setup.models import ExchangeRate
from integrations.models import XeroAccount
from integrations.xero_lists import ListsUnavailable, xero_lists_get
from onport.models import Account


@dataclass(frozen=True)
class OrganisationCurrencies:
    """The organisation's base and enabled currencies, live from Xero or, when unreachable, as last read."""

    base: str
    enabled: tuple[tuple[str, str], ...]  # (code, name), the base included
    live: bool
    unavailable: str = ""  # why the list is Onport's copy

    @property
    def foreign(self) -> list[str]:
        return [code for code, _ in self.enabled if code != self.base]


def organisation_currencies(*, xero_account: XeroAccount, reload: bool = False) -> OrganisationCurrencies:
    """Live (Xero's lists, cached a few minutes; `reload` reads them again), else Onport's stored copy."""
    try:
        lists = xero_lists_get(xero_account=xero_account, fresh=reload)
    except ListsUnavailable as error:
        return OrganisationCurrencies(
            base=xero_account.base_currency,
            enabled=tuple((code, "") for code in xero_account.enabled_currencies),
            live=False,
            unavailable=error.message,
        )
    return OrganisationCurrencies(
        base=xero_account.base_currency,
        enabled=tuple(sorted((currency.code, currency.name) for currency in lists.currencies)),
        live=True,
    )


def exchange_rates_list(*, account: Account) -> list[ExchangeRate]:
    return list(ExchangeRate.objects.filter(account=account).order_by("base_currency", "currency", "-rate_date"))


def exchange_rate_get(*, account: Account, rate_id: int) -> ExchangeRate:
    """Another account's rate and a missing one both answer 404."""
    return get_object_or_404(ExchangeRate.objects.filter(account=account), pk=rate_id)
