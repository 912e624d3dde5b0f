"""Setup > Accounting: which Xero account, when to sync, and how bills are coded.

Every account code and tax type is checked against Xero's live lists when it is saved: a mapping
Xero would refuse (archived, bank or system account, a tax rate for sales) is never stored.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from accounting.setup.models import (
    AccountingSettings,
    BillStatus,
    LineAmountType,
    TaxRateMapping,
)
from accounting.setup.selectors import xero_accounts_connected
from integrations.contact_import import contact_import_start
from integrations.selectors import contact_import_latest
from integrations.models import XeroAccount
from integrations.xero.bank_accounts import BankAccount
from integrations.xero_lists import ListsUnavailable, xero_lists_get
from onport.errors import ApplicationError
from onport.models import Account

CODE_FIELDS = ("product_account_code", "shipping_account_code")


class SettingsRefused(ApplicationError):
    """Nothing was saved: `errors` per field and `tax_errors` per Onport rate say why, in plain words."""

    def __init__(self, *, message: str = "", errors: dict[str, str] | None = None,
                 tax_errors: dict[Decimal, str] | None = None):
        super().__init__(message)
        self.errors = errors or {}
        self.tax_errors = tax_errors or {}


@dataclass(frozen=True)
class SettingsInput:
    """What the admin submitted. None for the Xero codes means "not on the form" (Xero was unreachable): keep them."""

    auto_sync_dropship: bool
    auto_sync_replenishment: bool
    line_amount_type: str
    bill_status: str
    due_date_from_terms: bool
    sync_adjustments: bool | None = None
    product_account_code: str | None = None
    shipping_account_code: str | None = None
    tax_types: dict[Decimal, str] | None = field(default=None)
    record_payments: bool = False
    payment_account: BankAccount | None = None  # None: keep the saved one (Xero's list was unreachable or unchanged)


def accounting_settings_get(*, account: Account) -> AccountingSettings:
    settings, _ = AccountingSettings.objects.get_or_create(account=account)
    return settings


def accounting_settings_choose_xero_account(*, settings: AccountingSettings, xero_account: XeroAccount) -> AccountingSettings:
    """Make this connected Xero account the accounting integration.

    Account codes belong to one organisation's chart, so switching clears them; tax mappings are kept
    per Xero account. The first contact import of a newly chosen Xero account starts by itself.
    """
    if xero_account.account_id != settings.account_id or xero_account not in xero_accounts_connected(account=settings.account):
        raise ValidationError({"xero_account": "Choose one of your connected Xero accounts."})
    if settings.xero_account_id == xero_account.pk:
        return settings
    with transaction.atomic():
        settings.xero_account = xero_account
        settings.product_account_code = settings.shipping_account_code = ""
        settings.full_clean()
        settings.save(update_fields=["xero_account", *CODE_FIELDS, "updated_at"])
        if contact_import_latest(xero_account=xero_account) is None:
            contact_import_start(xero_account=xero_account)
    return settings


def _xero_problems(settings: AccountingSettings, data: SettingsInput) -> tuple[dict[str, str], dict[Decimal, str]]:
    """Check every code and tax type given against Xero's lists, read afresh now."""
    codes = {name: getattr(data, name) for name in CODE_FIELDS if getattr(data, name)}
    taxes = {rate: tax_type for rate, tax_type in (data.tax_types or {}).items() if tax_type}
    if not codes and not taxes:
        return {}, {}
    if settings.xero_account is None:
        raise SettingsRefused(message="Choose the Xero account first: account codes and tax types come from it.")
    try:
        lists = xero_lists_get(xero_account=settings.xero_account, fresh=True)
    except ListsUnavailable as unavailable:
        raise SettingsRefused(message=f"{unavailable.message} Nothing was saved.") from unavailable
    errors = {name: problem for name, code in codes.items() if (problem := lists.account_problem(code))}
    tax_errors = {rate: problem for rate, tax_type in taxes.items() if (problem := lists.tax_problem(tax_type))}
    return errors, tax_errors


def accounting_settings_update(*, settings: AccountingSettings, data: SettingsInput) -> AccountingSettings:
    """Save Setup > Accounting, or raise SettingsRefused (nothing saved) saying why."""
    if data.line_amount_type not in LineAmountType.values or data.bill_status not in BillStatus.values:
        raise SettingsRefused(message="Choose how amounts are entered and which status bills get.")
    errors, tax_errors = _xero_problems(settings, data)
    if data.record_payments and data.payment_account is None and not settings.payment_account_id:
        errors["payment_account"] = "Choose the Xero bank account that payments are recorded from."
    if errors or tax_errors:
        raise SettingsRefused(errors=errors, tax_errors=tax_errors)
    update_fields = ["auto_sync_dropship", "auto_sync_replenishment", "line_amount_type", "bill_status",
                     "due_date_from_terms", "updated_at"]
    for name in update_fields[:-1]:
        setattr(settings, name, getattr(data, name))
    if data.sync_adjustments is not None and settings.adjustments_enabled_by_staff:
        settings.sync_adjustments = data.sync_adjustments  # only once support has enabled it
        update_fields.append("sync_adjustments")
    for name in CODE_FIELDS:
        if getattr(data, name) is not None:
            setattr(settings, name, getattr(data, name))
            update_fields.append(name)
    settings.record_payments = data.record_payments
    update_fields.append("record_payments")
    if data.payment_account is not None:
        account = data.payment_account
        settings.payment_account_id, settings.payment_account_code = account.account_id, account.code
        settings.payment_account_name = account.name
        update_fields += ["payment_account_id", "payment_account_code", "payment_account_name"]
    settings.full_clean()
    with transaction.atomic():
        settings.save(update_fields=update_fields)
        if data.tax_types is not None and settings.xero_account is not None:
            _save_tax_mappings(settings, data.tax_types)
    return settings


def _save_tax_mappings(settings: AccountingSettings, tax_types: dict[Decimal, str]) -> None:
    mappings = TaxRateMapping.objects.filter(xero_account=settings.xero_account)
    mappings.filter(rate__in=[rate for rate, tax_type in tax_types.items() if not tax_type]).delete()
    for rate, tax_type in tax_types.items():
        if tax_type:
            TaxRateMapping.objects.update_or_create(
                xero_account=settings.xero_account, rate=rate,
                defaults={"account_id": settings.account_id, "tax_type": tax_type},
            )


def adjustment_sync_allow(*, settings: AccountingSettings, allowed: bool) -> AccountingSettings:
    """Support allows (or stops) adjustment sync for an account; stopping it switches the account's own flag off too."""
    settings.adjustments_enabled_by_staff = allowed
    if not allowed:
        settings.sync_adjustments = False
    settings.full_clean()
    settings.save(update_fields=["adjustments_enabled_by_staff", "sync_adjustments", "updated_at"])
    return settings
