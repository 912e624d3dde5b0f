"""The live lists of one Xero account (accounts, tax rates, currencies), cached for a few minutes.

Pages that offer Xero codes read them from here; saving a code always re-reads them from Xero
(`fresh=True`) so nothing Xero would refuse is saved on the strength of a stale list.
"""

from dataclasses import dataclass, field

from django.core.cache import cache

from integrations.currencies import xero_account_currencies_store
from integrations.models import XeroAccount
from integrations.xero import settings_lists
from integrations.services import xero_client
from integrations.xero.errors import XeroError
from integrations.xero.bank_accounts import BankAccount
from integrations.xero.settings_lists import Currency, LedgerAccount, TaxRate
from onport.errors import ApplicationError

CACHE_SECONDS = 5 * 60


class ListsUnavailable(ApplicationError):
    """Xero could not be asked for its lists right now; the message says so in plain words."""


@dataclass(frozen=True)
class XeroLists:
    organisation: str
    accounts: tuple[LedgerAccount, ...]
    tax_rates: tuple[TaxRate, ...]
    currencies: tuple[Currency, ...]
    by_code: dict[str, LedgerAccount] = field(default_factory=dict, compare=False)
    by_tax_type: dict[str, TaxRate] = field(default_factory=dict, compare=False)

    def bill_accounts(self) -> list[LedgerAccount]:
        """The accounts a bill line may be coded to, expenses first."""
        usable = [a for a in self.accounts if not self.account_problem(a.code)]
        return sorted(usable, key=lambda a: (a.account_class != "EXPENSE", a.code))

    def expense_tax_rates(self) -> list[TaxRate]:
        return sorted((r for r in self.tax_rates if not self.tax_problem(r.tax_type)), key=lambda r: (-r.rate, r.name))

    def account_problem(self, code: str) -> str:
        return settings_lists.bill_account_problem(self.by_code.get(code), code=code, organisation=self.organisation)

    def tax_problem(self, tax_type: str) -> str:
        return settings_lists.bill_tax_problem(
            self.by_tax_type.get(tax_type), tax_type=tax_type, organisation=self.organisation
        )

    def account_choices(self, *, saved: str = "", blank: str = "Not set") -> list:
        """Select choices for a bill account code, grouped; a saved code Xero now refuses stays visible."""
        usable = self.bill_accounts()
        choices = [
            ("", blank),
            ("Expenses", [(a.code, a.label) for a in usable if a.account_class == "EXPENSE"]),
            ("Assets", [(a.code, a.label) for a in usable if a.account_class != "EXPENSE"]),
        ]
        if saved and self.account_problem(saved):
            choices.insert(1, (saved, f"{saved} – can't be used on bills any more"))
        return choices

    def tax_choices(self, *, saved: str = "", blank: str = "Not mapped") -> list:
        choices = [("", blank)] + [(r.tax_type, f"{r.label} – {r.tax_type}") for r in self.expense_tax_rates()]
        if saved and self.tax_problem(saved):
            choices.insert(1, (saved, f"{saved} – can't be used on bills any more"))
        return choices

    def bank_accounts(self) -> list[BankAccount]:
        """Active BANK accounts, the ones payments can be recorded from (from the same cached list)."""
        return [
            BankAccount(account_id=a.account_id, code=a.code, name=a.name, currency="")
            for a in sorted(self.accounts, key=lambda a: a.code)
            if a.type == "BANK" and a.status == "ACTIVE"
        ]


def _key(xero_account: XeroAccount) -> str:
    return f"xero:lists:{xero_account.pk}:{xero_account.tenant_id}"


def xero_lists_get(*, xero_account: XeroAccount, fresh: bool = False) -> XeroLists:
    """The lists from the cache, or from Xero (three calls) when missing, stale or `fresh` is asked."""
    if not xero_account.is_ready:
        raise ListsUnavailable(
            f"The Xero account “{xero_account.name}” is not connected to an organisation, so its lists "
            "cannot be read. Reconnect it under Integrations › Xero."
        )
    if not fresh:
        cached = cache.get(_key(xero_account))
        if cached is not None:
            return cached
    client = xero_client(xero_account, max_wait=10.0)
    try:
        accounts = settings_lists.accounts(client)
        tax_rates = settings_lists.tax_rates(client)
        currencies = settings_lists.currencies(client)
    except XeroError as error:
        raise ListsUnavailable(
            f"Xero could not be reached for the accounts and tax rates of "
            f"{xero_account.tenant_name or xero_account.name}: {error.message} "
            "The saved values are kept; try “reload from Xero” in a minute."
        ) from error
    lists = XeroLists(
        organisation=xero_account.tenant_name or xero_account.name,
        accounts=tuple(accounts),
        tax_rates=tuple(tax_rates),
        currencies=tuple(currencies),
        by_code={account.code: account for account in accounts if account.code},
        by_tax_type={rate.tax_type: rate for rate in tax_rates},
    )
    cache.set(_key(xero_account), lists, CACHE_SECONDS)
    xero_account_currencies_store(xero_account=xero_account, codes=[currency.code for currency in currencies])
    return lists


def xero_lists_cached(*, xero_account: XeroAccount) -> XeroLists | None:
    """The lists as last read (within a few minutes), or None: never calls Xero (for Preview bill)."""
    return cache.get(_key(xero_account)) if xero_account.is_ready else None


def xero_lists_forget(*, xero_account: XeroAccount) -> None:
    cache.delete(_key(xero_account))


def xero_lists_for_page(*, xero_account: XeroAccount | None, fresh: bool = False) -> tuple[XeroLists | None, str]:
    """For a page that offers Xero's codes: the lists, or None and why they cannot be read now ("" without a
    Xero account), so the page shows the saved values read-only instead of failing."""
    if xero_account is None:
        return None, ""
    try:
        return xero_lists_get(xero_account=xero_account, fresh=fresh), ""
    except ListsUnavailable as error:
        return None, error.message
