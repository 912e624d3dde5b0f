"""Setup > Payouts and what payouts need of the Xero connection (Advance plan and above)."""

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from accounting.payouts.bank import YOUR_IBAN, parse_bic, parse_iban
from accounting.outbox.payments import SCOPE_MESSAGE, payments_scope_missing  # noqa: F401 (payouts' names)
from accounting.payouts.currencies import (
    chosen_accounts,
    currency_account_errors,
    currency_accounts_save,
    payout_currencies,
)
from accounting.payouts.errors import BankDetailsInvalid, payouts_require_plan
from accounting.payouts.models import PayoutCurrencyAccount, PayoutSettings
from accounting.setup.models import AccountingSettings, BillStatus
from integrations.models import XeroAccount
from integrations.services import xero_client
from integrations.xero.bank_accounts import BankAccount, bank_accounts
from integrations.xero.errors import XeroError
from onport.models import Account
from onport.validators import CONTROL_CHARACTERS, has_control_characters


def payout_xero_account(account: Account) -> XeroAccount | None:
    """The Xero account of Setup > Accounting, if it is connected: payouts record payments there."""
    setup = AccountingSettings.objects.filter(account=account).select_related("xero_account").first()
    xero_account = setup.xero_account if setup else None
    return xero_account if xero_account is not None and xero_account.is_ready else None


def payout_bank_accounts(*, account: Account) -> tuple[list[BankAccount] | None, str]:
    """Xero's live BANK accounts to record payments from, or (None, why) when Xero is not connected or unreachable."""
    xero_account = payout_xero_account(account)
    if xero_account is None:
        return None, "Connect Xero and choose it in Setup > Accounting to pick the bank account payments come from."
    try:
        return bank_accounts(xero_client(xero_account)), ""
    except XeroError as error:
        return None, f"Xero's bank accounts could not be read: {error.message}"


def payout_setup_currencies(
    *, account: Account, setup: PayoutSettings
) -> tuple[tuple[str, ...], dict[str, PayoutCurrencyAccount]]:
    """The currencies Setup > Payouts asks a bank account for, and the accounts chosen so far, by currency."""
    xero_account = payout_xero_account(account)
    base_currency = xero_account.base_currency if xero_account else ""
    saved = {row.currency: row for row in chosen_accounts(setup=setup)}
    return tuple(payout_currencies(account=account, setup=setup, base_currency=base_currency)), saved


def bills_created_as_draft(*, account: Account) -> bool:
    """Xero takes payments only on approved bills: bills created as drafts wait for someone to approve them there."""
    setup = AccountingSettings.objects.filter(account=account).only("bill_status").first()
    return setup is None or setup.bill_status == BillStatus.DRAFT


def payout_settings_get(*, account: Account) -> PayoutSettings:
    setup, _ = PayoutSettings.objects.get_or_create(account=account)
    return setup


@dataclass(frozen=True)
class PayoutSettingsInput:
    enabled: bool
    schedule: str
    delay_days: int
    bank_account: BankAccount | None
    minimum_amount: Decimal
    payer_name: str
    payer_iban: str
    payer_bic: str
    # "Pay EUR invoices from", by currency (None: no account of its own); None: keep what is saved (Xero unreachable)
    currency_accounts: dict[str, BankAccount | None] | None = None


def payout_settings_update(*, account: Account, data: PayoutSettingsInput, actor=None) -> PayoutSettings:
    payouts_require_plan(account)
    errors: dict[str, str] = {}
    payer_iban = payer_bic = ""
    if data.payer_iban.strip():
        try:
            payer_iban = parse_iban(data.payer_iban, copy_from=YOUR_IBAN).compact
        except ValueError as error:
            errors["payer_iban"] = str(error)
    if data.payer_bic.strip():
        try:
            payer_bic = parse_bic(data.payer_bic).compact
        except ValueError as error:
            errors["payer_bic"] = str(error)
    if has_control_characters(data.payer_name):
        errors["payer_name"] = CONTROL_CHARACTERS
    if data.enabled and data.bank_account is None:
        errors["bank_account"] = "Choose the Xero bank account the payments are recorded from."
    errors.update(currency_account_errors(data.currency_accounts or {}))
    if errors:
        raise BankDetailsInvalid(errors)
    with transaction.atomic():
        setup = PayoutSettings.objects.select_for_update().get(pk=payout_settings_get(account=account).pk)
        setup.enabled, setup.schedule, setup.delay_days = data.enabled, data.schedule, data.delay_days
        if data.bank_account is not None:
            setup.bank_account_id = data.bank_account.account_id
            setup.bank_account_code, setup.bank_account_name = data.bank_account.code, data.bank_account.name
            setup.bank_account_currency = data.bank_account.currency
        setup.minimum_amount = data.minimum_amount
        setup.payer_name, setup.payer_iban, setup.payer_bic = data.payer_name.strip(), payer_iban, payer_bic
        setup.updated_by = actor
        setup.full_clean()
        setup.save()
        if data.currency_accounts is not None:
            currency_accounts_save(setup=setup, chosen=data.currency_accounts)
    return setup
