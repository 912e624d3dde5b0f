"""Which currency rate a foreign-currency document is sent with, and what stops it, without calling Xero.

Xero takes a document only in a currency the organisation has enabled: one missing from Onport's copy of them
holds the document with the fix. The rate is Xero's CurrencyRate (units of the document's currency per one unit
of the organisation's base currency): with Setup's "Xero's day rate" none is sent and Xero applies its own; with
"Onport's rate at the invoice date", Onport's latest rate on or before the invoice's issue date is sent (the
invoice's date, also for its credit notes and adjustment bills, so they reverse at the bill's rate).
"""

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from accounting.outbox.results import Problem
from accounting.setup.models import AccountingSettings, CurrencyRateSource, ExchangeRate
from integrations.currencies import currencies_worth_rechecking, currency_enabled, xero_account_currencies_read
from integrations.models import XeroAccount
from integrations.xero.client import XeroClient
from integrations.xero.errors import XeroError
from invoicing.models import PurchaseInvoice

PAGE = "Setup > Accounting › Currencies"
CENT = Decimal("0.01")


@dataclass(frozen=True)
class CurrencyContext:
    """A Xero account's enabled currencies (its stored copy) and, when Onport's rates are used, those rates
    for its base currency, newest first (one query, none with Xero's day rate)."""

    xero_account: XeroAccount
    source: str  # a CurrencyRateSource value
    rates: dict[str, tuple[ExchangeRate, ...]]  # by currency, newest first

    @classmethod
    def load(cls, *, xero_account: XeroAccount, settings: AccountingSettings) -> "CurrencyContext":
        rates: dict[str, list[ExchangeRate]] = {}
        if settings.currency_rate_source == CurrencyRateSource.ONPORT and xero_account.base_currency:
            for rate in ExchangeRate.objects.filter(
                account_id=xero_account.account_id, base_currency=xero_account.base_currency
            ).order_by("currency", "-rate_date"):
                rates.setdefault(rate.currency, []).append(rate)
        return cls(
            xero_account=xero_account,
            source=settings.currency_rate_source,
            rates={currency: tuple(found) for currency, found in rates.items()},
        )

    def rate_on(self, currency: str, day: datetime.date) -> ExchangeRate | None:
        """Onport's latest rate for `currency` on or before `day`."""
        return next((rate for rate in self.rates.get(currency, ()) if rate.rate_date <= day), None)


@dataclass(frozen=True)
class DocumentCurrency:
    """The rate a document is sent with (None: omitted) and what stops it."""

    rate: Decimal | None
    problems: tuple[Problem, ...] = ()
    rate_from: datetime.date | None = None  # the day Onport's rate applies from


def document_currency(context: CurrencyContext, invoice: PurchaseInvoice) -> DocumentCurrency:
    xero_account = context.xero_account
    base = xero_account.base_currency
    currency = invoice.currency.upper()
    if not currency_enabled(xero_account, currency):
        organisation = xero_account.tenant_name or xero_account.name
        return DocumentCurrency(
            rate=None,
            problems=(
                Problem(
                    f"{organisation} has not enabled {currency} in Xero: enable it under Xero › Settings › "
                    "Currencies, then sync again."
                ),
            ),
        )
    if not base or currency == base or context.source != CurrencyRateSource.ONPORT:
        return DocumentCurrency(rate=None)  # the base currency (or not known yet) takes no rate; Xero's day rate
    found = context.rate_on(currency, invoice.issue_date)
    if found is None:
        return DocumentCurrency(
            rate=None,
            problems=(
                Problem(
                    f"No Onport rate for {currency} on or before {invoice.issue_date.isoformat()}: add one in "
                    f"{PAGE}, or switch to Xero's day rate there."
                ),
            ),
        )
    return DocumentCurrency(rate=found.rate.normalize(), rate_from=found.rate_date)


def base_amount(amount: Decimal, rate: Decimal) -> Decimal:
    """An amount in the organisation's base currency, as Xero shows it: amount ÷ CurrencyRate, to the cent
    (half up, as Xero rounds its amounts)."""
    return (amount / rate).quantize(CENT, rounding=ROUND_HALF_UP)


def currencies_recheck(client: XeroClient, invoices: list[PurchaseInvoice]) -> None:
    """Before the preflight of a batch: a currency missing from a copy over a minute old is read again (one call),
    so a currency just enabled in Xero goes at the next sync. A copy Xero will not refresh now stands."""
    if not currencies_worth_rechecking(client.xero_account, [invoice.currency for invoice in invoices]):
        return
    try:
        xero_account_currencies_read(client=client)
    except XeroError:
        pass  # the stored copy holds the bill; the next sync asks again


@dataclass(frozen=True)
class PreviewCurrency:
    """Preview bill's currency panel: the rate Xero will use and, when Onport sends it, the base-currency totals."""

    currency: str
    base: str
    rate: Decimal | None
    rate_words: str
    sub_total: Decimal | None = None
    total_tax: Decimal | None = None
    total: Decimal | None = None


def preview_currency(
    context: CurrencyContext, invoice: PurchaseInvoice, *, sub_total: Decimal, total_tax: Decimal, total: Decimal
) -> PreviewCurrency | None:
    """None for a bill in the base currency (or before the base currency is known)."""
    base = context.xero_account.base_currency
    if not base or invoice.currency.upper() == base:
        return None
    chosen = document_currency(context, invoice)
    if chosen.rate is None:
        if not currency_enabled(context.xero_account, invoice.currency):
            words = f"None: {invoice.currency} is not enabled in Xero (see above)"
        elif context.source == CurrencyRateSource.ONPORT:
            words = f"None: Onport has no rate for {invoice.currency} yet (see above)"
        else:
            words = "Xero's day rate on the bill date"
        return PreviewCurrency(currency=invoice.currency, base=base, rate=None, rate_words=words)
    return PreviewCurrency(
        currency=invoice.currency,
        base=base,
        rate=chosen.rate,
        rate_words=f"1 {base} = {chosen.rate} {invoice.currency} (Onport's rate from {chosen.rate_from:%-d %b %Y})",
        sub_total=base_amount(sub_total, chosen.rate),
        total_tax=base_amount(total_tax, chosen.rate),
        total=base_amount(total, chosen.rate),
    )
