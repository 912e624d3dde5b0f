"""Reads for Setup > Accounting: the chosen Xero account, the Xero accounts on offer, the tax rates in use."""

from decimal import Decimal

from accounting.setup.models import AccountingSettings, LineAmountType, TaxRateMapping
from integrations.models import XeroAccount, XeroAccountStatus
from invoicing.models import PurchaseOrder, PurchaseOrderLine
from onport.models import Account


def accounting_settings_read(*, account: Account) -> AccountingSettings:
    """The account's Setup > Accounting, or the defaults (unsaved) before anything was saved; never writes."""
    return AccountingSettings.objects.filter(account=account).select_related(
        "xero_account"
    ).first() or AccountingSettings(account=account)


def accounting_xero_account(*, account: Account) -> XeroAccount | None:
    """The Xero account chosen in Setup > Accounting (None until one is chosen); never creates anything."""
    settings = AccountingSettings.objects.filter(account=account).select_related("xero_account").first()
    return settings.xero_account if settings else None


def xero_accounts_chosen_for_accounting() -> list[XeroAccount]:
    """Every account's Xero account of Setup > Accounting that is connected and ready (for the daily jobs)."""
    chosen = AccountingSettings.objects.filter(xero_account__status=XeroAccountStatus.CONNECTED).values(
        "xero_account_id"
    )
    return [xero_account for xero_account in XeroAccount.objects.filter(pk__in=chosen) if xero_account.is_ready]


def xero_accounts_connected(*, account: Account) -> list[XeroAccount]:
    """The account's Xero accounts that are connected to an organisation (Tenant chosen)."""
    candidates = (
        XeroAccount.objects.for_account(account).filter(status=XeroAccountStatus.CONNECTED).exclude(tenant_id="")
    )
    return [xero_account for xero_account in candidates if xero_account.is_ready]


def tax_rates_in_use(*, account: Account, xero_account: XeroAccount | None = None) -> list[Decimal]:
    """The distinct Onport tax rates of the account's purchase order lines and shipping, plus any already mapped."""
    rates = set(PurchaseOrderLine.objects.filter(account=account).values_list("tax_rate", flat=True).distinct())
    shipping = PurchaseOrder.objects.for_account(account).filter(shipping_cost__gt=0)
    rates |= set(shipping.values_list("shipping_tax_rate", flat=True).distinct())
    if xero_account is not None:
        rates |= set(TaxRateMapping.objects.filter(xero_account=xero_account).values_list("rate", flat=True))
    return sorted({Decimal(rate).quantize(Decimal("0.01")) for rate in rates}, reverse=True)


def tax_rate_mappings(*, xero_account: XeroAccount) -> dict[Decimal, str]:
    return dict(TaxRateMapping.objects.filter(xero_account=xero_account).values_list("rate", "tax_type"))


def tax_rates_unmapped(
    *, settings: AccountingSettings, line_amount_type: str, mapped: dict[Decimal, str] | None = None
) -> list[Decimal]:
    """The tax rates the account's orders use that have no Xero tax type (`mapped`, else the saved mappings):
    what bills would wait for. None with bills sent without tax, or before a Xero account is chosen."""
    xero_account = None if line_amount_type == LineAmountType.NO_TAX else settings.xero_account
    if xero_account is None:
        return []
    mapped = tax_rate_mappings(xero_account=xero_account) if mapped is None else mapped
    return [
        rate for rate in tax_rates_in_use(account=settings.account, xero_account=xero_account) if not mapped.get(rate)
    ]
