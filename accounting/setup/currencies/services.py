"""Setup > Accounting › Currencies: which rate foreign-currency bills are sent with, and Onport's own rates.

A rate is Xero's CurrencyRate: units of the currency per one unit of the organisation's base currency, from a
date on (the latest on or before an invoice's date applies). Only a currency the organisation has enabled in
Xero, other than its base, takes a rate. After a change, the bills that waited on a rate are checked again.
"""

import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction

from accounting.setup.models import AccountingSettings, CurrencyRateSource, ExchangeRate
from accounting.sync.sweep import waiting_rows_rearm
from integrations.models import XeroAccount
from onport.errors import ApplicationError

RATE_PLACES = 6  # Xero's CurrencyRate: "max length = [18].[6]"
RATE_MAX = Decimal(10) ** 12


class RateRefused(ApplicationError):
    """Nothing was saved; `field` names the input the message is about ("" for the form as a whole)."""

    def __init__(self, message: str, *, field: str = ""):
        super().__init__(message)
        self.field = field


def currency_rate_source_set(*, settings: AccountingSettings, source: str) -> AccountingSettings:
    if settings.pk is None or settings.xero_account_id is None:
        raise RateRefused("Choose the Xero account to sync to in Setup > Accounting first.", field="source")
    if source not in CurrencyRateSource.values:
        raise RateRefused("Choose Xero's day rate or Onport's rate at the invoice date.", field="source")
    settings.currency_rate_source = source
    settings.full_clean()
    settings.save(update_fields=["currency_rate_source", "updated_at"])
    waiting_rows_rearm(account=settings.account)
    return settings


def _clean_currency(xero_account: XeroAccount, currency: str) -> str:
    code = currency.strip().upper()
    organisation = xero_account.tenant_name or xero_account.name
    if len(code) != 3 or not code.isascii() or not code.isalpha():
        raise RateRefused("Give the currency as its 3-letter code, such as EUR.", field="currency")
    if code == xero_account.base_currency:
        raise RateRefused(f"{code} is {organisation}'s base currency: bills in it need no rate.", field="currency")
    if code not in xero_account.enabled_currencies:
        raise RateRefused(
            f"{organisation} has not enabled {code} in Xero: enable it under Xero › Settings › Currencies, then "
            "reload this page.",
            field="currency",
        )
    return code


def _clean_rate(rate: Decimal) -> Decimal:
    if not rate.is_finite() or rate <= 0:
        raise RateRefused("The rate must be more than 0.", field="rate")
    if rate >= RATE_MAX:
        raise RateRefused(f"Xero takes a rate below {RATE_MAX:,}.", field="rate")
    if rate != rate.quantize(Decimal(1).scaleb(-RATE_PLACES)):
        raise RateRefused(f"Xero takes a rate with at most {RATE_PLACES} decimal places.", field="rate")
    return rate


def exchange_rate_create(
    *, settings: AccountingSettings, currency: str, rate_date: datetime.date, rate: Decimal
) -> ExchangeRate:
    """Onport's rate for `currency` from `rate_date`, against the base currency of Setup's Xero account."""
    xero_account = settings.xero_account
    if xero_account is None or not xero_account.base_currency:
        raise RateRefused("Choose the Xero account to sync to in Setup > Accounting first.")
    exchange_rate = ExchangeRate(
        account=settings.account,
        base_currency=xero_account.base_currency,
        currency=_clean_currency(xero_account, currency),
        rate_date=rate_date,
        rate=_clean_rate(rate),
    )
    exchange_rate.full_clean(validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            exchange_rate.save()
    except IntegrityError:  # the unique day, also when another admin saved it a moment ago
        raise RateRefused(
            f"There is already a rate for {exchange_rate.currency} from {rate_date:%-d %b %Y}: delete it first to "
            "give another.",
            field="rate_date",
        ) from None
    waiting_rows_rearm(account=settings.account)
    return exchange_rate


def exchange_rate_delete(*, exchange_rate: ExchangeRate) -> None:
    account = exchange_rate.account
    exchange_rate.delete()
    waiting_rows_rearm(account=account)
