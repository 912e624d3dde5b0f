"""Setup > Accounting: which Xero account, when to sync, and how bills are coded.

Every account code and tax type is checked against Xero's live lists when it is saved: a mapping
Xero would refuse (archived, bank or system account, a tax rate for sales) is never stored.
"""

from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from accounting.sync.sweep import waiting_rows_rearm
from accounting.setup.models import (
    AccountingSettings,
    BillStatus,
    LineAmountType,
    TaxRateMapping,
)
from accounting.setup.selectors import tax_rates_unmapped, xero_accounts_connected
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

    def __init__(
        self, *, message: str = "", errors: dict[str, str] | None = None, tax_errors: dict[Decimal, str] | None = None
    ):
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
    attach_documents: bool = False
    payment_account: BankAccount | None = None  # None: keep the saved one (Xero's list was unreachable or unchanged)
    xero_account: XeroAccount | None = None  # None: keep the chosen one


@dataclass(frozen=True)
class SettingsSaved:
    settings: AccountingSettings
    switched: bool = False  # another Xero account was chosen: its codes are still to choose
    auto_sync_stopped: bool = False  # …so automatic sync was switched off until they are
    requeued: int = 0  # invoices that waited on these settings and go again


def accounting_settings_get(*, account: Account) -> AccountingSettings:
    settings, _ = AccountingSettings.objects.get_or_create(account=account)
    return settings


def accounting_settings_choose_xero_account(
    *, settings: AccountingSettings, xero_account: XeroAccount
) -> AccountingSettings:
    """Make this connected Xero account the accounting integration.

    Account codes belong to one organisation's chart, so switching clears them (and automatic sync waits for the
    new ones); tax mappings are kept per Xero account. The first contact import of a newly chosen Xero account
    starts by itself.
    """
    if xero_account.account_id != settings.account_id or xero_account not in xero_accounts_connected(
        account=settings.account
    ):
        raise ValidationError({"xero_account": "Choose one of your connected Xero accounts."})
    if settings.xero_account_id == xero_account.pk:
        return settings
    with transaction.atomic():
        _switch_xero_account(settings, xero_account)
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


AUTO_SYNC_MESSAGE = (
    "Nothing was saved: automatic sync needs every choice marked below, or bills would wait for a person."
)
XERO_REFUSES_MESSAGE = "Nothing was saved: Xero would refuse some of these choices (see below)."


def _auto_sync_problems(settings: AccountingSettings, data: SettingsInput) -> tuple[dict[str, str], dict[Decimal, str]]:
    """What automatic sync needs and this save would leave missing: the codes, and a tax type per rate in use."""
    if not (data.auto_sync_dropship or data.auto_sync_replenishment):
        return {}, {}
    if settings.xero_account is None:
        return {"auto_sync_dropship": "Choose the Xero account first: automatic sync sends bills to it."}, {}
    errors = {}
    for name, lines in (("product_account_code", "product"), ("shipping_account_code", "shipping")):
        code = getattr(data, name) if getattr(data, name) is not None else getattr(settings, name)
        if not code:
            errors[name] = f"Choose the account code for {lines} lines: automatic sync needs it."
    tax_errors = {
        rate: f"Choose the Xero tax type for {rate.normalize():f}%: automatic sync needs one for every tax rate your "
        "orders use."
        for rate in tax_rates_unmapped(settings=settings, line_amount_type=data.line_amount_type, mapped=data.tax_types)
    }
    return errors, tax_errors


def accounting_settings_update(*, settings: AccountingSettings, data: SettingsInput) -> SettingsSaved:
    """Save Setup > Accounting, or raise SettingsRefused (nothing saved) listing every problem at once.

    Choosing another Xero account here clears the codes of the old organisation (and its bank account for
    payments) and switches automatic sync off until the new organisation's codes are chosen. After a save, the
    invoices that waited on these settings are checked again and the ones now complete go to Xero.
    """
    if data.line_amount_type not in LineAmountType.values or data.bill_status not in BillStatus.values:
        raise SettingsRefused(message="Choose how amounts are entered and which status bills get.")
    switching_to = (
        data.xero_account
        if data.xero_account is not None and data.xero_account.pk != settings.xero_account_id
        else None
    )
    switching = switching_to is not None
    errors: dict[str, str]
    tax_errors: dict[Decimal, str]
    auto_errors: dict[str, str]
    auto_tax_errors: dict[Decimal, str]
    if switching_to is not None:
        if switching_to.account_id != settings.account_id or switching_to not in xero_accounts_connected(
            account=settings.account
        ):
            raise SettingsRefused(errors={"xero_account": "Choose one of your connected Xero accounts."})
        # the codes and tax types on the form are the old organisation's: the new one's are chosen next
        data = replace(
            data, product_account_code=None, shipping_account_code=None, tax_types=None, payment_account=None
        )
        errors, tax_errors, auto_errors, auto_tax_errors = {}, {}, {}, {}
    else:
        errors, tax_errors = _xero_problems(settings, data)
        auto_errors, auto_tax_errors = _auto_sync_problems(settings, data)
    if data.record_payments and data.payment_account is None and not settings.payment_account_id and not switching:
        errors["payment_account"] = "Choose the Xero bank account that payments are recorded from."
    if errors or tax_errors or auto_errors or auto_tax_errors:
        messages = [XERO_REFUSES_MESSAGE] if errors or tax_errors else []
        messages += [AUTO_SYNC_MESSAGE] if auto_errors or auto_tax_errors else []
        raise SettingsRefused(
            message=" ".join(messages), errors={**auto_errors, **errors}, tax_errors={**auto_tax_errors, **tax_errors}
        )
    update_fields = [
        "auto_sync_dropship",
        "auto_sync_replenishment",
        "line_amount_type",
        "bill_status",
        "due_date_from_terms",
        "attach_documents",
        "updated_at",
    ]
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
    auto_sync_stopped = switching and (settings.auto_sync_dropship or settings.auto_sync_replenishment)
    settings.full_clean()
    with transaction.atomic():
        settings.save(update_fields=update_fields)
        if data.tax_types is not None and settings.xero_account is not None:
            _save_tax_mappings(settings, data.tax_types)
        if switching_to is not None:
            _switch_xero_account(settings, switching_to)
            return SettingsSaved(settings=settings, switched=True, auto_sync_stopped=auto_sync_stopped)
        requeued = waiting_rows_rearm(account=settings.account)
    return SettingsSaved(settings=settings, requeued=requeued)


def _switch_xero_account(settings: AccountingSettings, xero_account: XeroAccount) -> None:
    settings.xero_account = xero_account
    settings.product_account_code = settings.shipping_account_code = ""
    settings.auto_sync_dropship = settings.auto_sync_replenishment = False
    settings.payment_account_id = settings.payment_account_code = settings.payment_account_name = ""
    settings.record_payments = False
    settings.full_clean()
    settings.save(
        update_fields=[
            "xero_account",
            *CODE_FIELDS,
            "auto_sync_dropship",
            "auto_sync_replenishment",
            "payment_account_id",
            "payment_account_code",
            "payment_account_name",
            "record_payments",
            "updated_at",
        ]
    )
    if contact_import_latest(xero_account=xero_account) is None:
        contact_import_start(xero_account=xero_account)


def _save_tax_mappings(settings: AccountingSettings, tax_types: dict[Decimal, str]) -> None:
    mappings = TaxRateMapping.objects.filter(xero_account=settings.xero_account)
    mappings.filter(rate__in=[rate for rate, tax_type in tax_types.items() if not tax_type]).delete()
    for rate, tax_type in tax_types.items():
        if tax_type:
            TaxRateMapping.objects.update_or_create(
                xero_account=settings.xero_account,
                rate=rate,
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
