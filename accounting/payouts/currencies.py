"""Which Xero bank account pays the invoices of each currency, and what Setup > Payouts offers for it.

Xero records a payment against a foreign-currency bill only from a bank account in the bill's currency, or in
the organisation's base currency at a rate; a EUR bill paid from a USD account is refused. The bank file of a
run pays each currency from an account in that currency too, so a payout line in currency C is recorded from:
the account chosen for C in Setup > Payouts ("Pay EUR invoices from"), else the main bank account when it is in
C. When neither exists the line is skipped at collection, with the reason, so that the bank file never pays a
vendor whose payment could not be recorded in Xero.
"""

from dataclasses import dataclass

from accounting.payouts.models import PayoutCurrencyAccount, PayoutSettings
from contacts.models import Vendor
from integrations.xero.bank_accounts import BankAccount
from invoicing.models import PurchaseInvoice
from onport.models import Account

NO_ACCOUNT = "No Xero bank account in {currency} is chosen for payouts: choose one in Setup > Payouts."


@dataclass(frozen=True)
class PayingAccount:
    """The Xero bank account a payout line's payments are recorded from."""

    account_id: str
    code: str
    name: str


def currency_field_name(currency: str) -> str:
    """The Setup > Payouts form field of a currency ("pay_from_EUR"): the service names its errors by it."""
    return f"pay_from_{currency}"


def chosen_accounts(*, setup: PayoutSettings) -> list[PayoutCurrencyAccount]:
    """The accounts chosen per currency (none before Setup > Payouts was first saved)."""
    if setup.pk is None:
        return []
    return list(PayoutCurrencyAccount.objects.filter(account=setup.account_id, settings=setup))


def main_account_currency(*, setup: PayoutSettings, base_currency: str) -> str:
    """The main bank account's currency; one saved before currencies were kept is taken to be the base one."""
    return setup.bank_account_currency or base_currency


def paying_accounts(*, setup: PayoutSettings, base_currency: str) -> dict[str, PayingAccount]:
    """By currency: the bank account that pays it (the one chosen for it, else the main one in its currency)."""
    paying = {
        row.currency: PayingAccount(row.bank_account_id, row.bank_account_code, row.bank_account_name)
        for row in chosen_accounts(setup=setup)
    }
    main_currency = main_account_currency(setup=setup, base_currency=base_currency)
    if (setup.bank_account_id or setup.bank_account_code) and main_currency:
        paying.setdefault(
            main_currency, PayingAccount(setup.bank_account_id, setup.bank_account_code, setup.bank_account_name)
        )
    return paying


def payout_currencies(*, account: Account, setup: PayoutSettings, base_currency: str) -> list[str]:
    """The currencies Setup > Payouts asks an account for: those its vendors and invoices use (and those chosen
    already), except the main bank account's own currency, which that account pays."""
    used = set(Vendor.objects.filter(account=account).values_list("currency", flat=True).distinct())
    used |= set(PurchaseInvoice.objects.for_account(account).values_list("currency", flat=True).distinct())
    used |= {row.currency for row in chosen_accounts(setup=setup)}
    main_currency = main_account_currency(setup=setup, base_currency=base_currency)
    return sorted(currency for currency in used if currency and currency != main_currency)


def currency_account_errors(chosen: dict[str, BankAccount | None]) -> dict[str, str]:
    """A bank account chosen for a currency must be in that currency (Xero would refuse its payments)."""
    errors = {}
    for currency, bank in chosen.items():
        if bank is not None and bank.currency and bank.currency != currency:
            errors[currency_field_name(currency)] = (
                f"{bank.label} is a {bank.currency} account, and Xero records payments of {currency} invoices "
                f"only from a {currency} bank account: choose one in {currency}."
            )
    return errors


def currency_accounts_save(*, setup: PayoutSettings, chosen: dict[str, BankAccount | None]) -> None:
    """Keep the choice of each currency in `chosen` (None: no account of its own); others stay as they are.

    Runs inside payout_settings_update's transaction, after currency_account_errors found nothing wrong."""
    cleared = [currency for currency, bank in chosen.items() if bank is None]
    PayoutCurrencyAccount.objects.filter(account=setup.account_id, settings=setup, currency__in=cleared).delete()
    for currency, bank in chosen.items():
        if bank is None:
            continue
        row = PayoutCurrencyAccount.objects.filter(account=setup.account_id, currency=currency).first()
        row = row or PayoutCurrencyAccount(account_id=setup.account_id, settings=setup, currency=currency)
        row.bank_account_id, row.bank_account_code, row.bank_account_name = bank.account_id, bank.code, bank.name
        row.full_clean()
        row.save()
