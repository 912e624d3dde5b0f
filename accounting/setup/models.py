"""Setup > Accounting: which Xero account, when to sync, and how bills are coded."""

from django.db import models

from integrations.models import XeroAccount
from contacts.models import Vendor
from invoicing.models import TAX_RATE, ProductCategory
from onport.models import Account


class LineAmountType(models.TextChoices):
    EXCLUSIVE = "Exclusive", "Tax exclusive"
    INCLUSIVE = "Inclusive", "Tax inclusive"
    NO_TAX = "NoTax", "No tax"


class BillStatus(models.TextChoices):
    DRAFT = "DRAFT", "Draft"
    SUBMITTED = "SUBMITTED", "Awaiting approval"
    AUTHORISED = "AUTHORISED", "Awaiting payment"


class CurrencyRateSource(models.TextChoices):
    XERO = "xero", "Xero's day rate"
    ONPORT = "onport", "Onport's rate at the invoice date"


class AccountingSettings(models.Model):
    """Setup > Accounting: which Xero account, when to sync, and how bills are coded."""

    account = models.OneToOneField(Account, on_delete=models.CASCADE, related_name="accounting_settings")
    xero_account = models.ForeignKey(XeroAccount, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    auto_sync_dropship = models.BooleanField("Automatically sync dropship invoices", default=False)
    auto_sync_replenishment = models.BooleanField("Automatically sync replenishment invoices", default=False)
    product_account_code = models.CharField("account code for product lines", max_length=10, blank=True)
    shipping_account_code = models.CharField("account code for shipping lines", max_length=10, blank=True)
    line_amount_type = models.CharField(
        "amounts are", max_length=10, choices=LineAmountType.choices, default=LineAmountType.EXCLUSIVE
    )
    bill_status = models.CharField(
        "create bills as", max_length=12, choices=BillStatus.choices, default=BillStatus.DRAFT
    )
    due_date_from_terms = models.BooleanField("due date from the vendor's payment terms", default=True)
    adjustments_enabled_by_staff = models.BooleanField(
        "support enabled adjustment sync", default=False, help_text="Only Onport staff can switch this."
    )
    sync_adjustments = models.BooleanField("Sync adjustments", default=False)
    record_payments = models.BooleanField("Record payments in Xero when an invoice is marked paid", default=False)
    attach_documents = models.BooleanField(
        "Attach the invoice document to bills",
        default=False,
        help_text="The vendor's file when one was uploaded, else a PDF of the invoice: one more call per bill, sent "
        "behind the bills themselves.",
    )
    currency_rate_source = models.CharField(
        "exchange rate for foreign-currency bills",
        max_length=10,
        choices=CurrencyRateSource.choices,
        default=CurrencyRateSource.XERO,
    )
    payment_account_id = models.CharField(max_length=64, blank=True)
    payment_account_code = models.CharField("record payments from (Xero bank account)", max_length=10, blank=True)
    payment_account_name = models.CharField(max_length=150, blank=True)
    digest_sent_on = models.DateField(null=True, blank=True, editable=False)  # the daily digest's once-a-day mark
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Accounting settings of {self.account}"

    def auto_sync_for(self, kind: str) -> bool:
        return {"dropship": self.auto_sync_dropship, "replenishment": self.auto_sync_replenishment}.get(kind, False)


class TaxRateMapping(models.Model):
    """Which Xero tax type an Onport tax rate becomes on bills, per Xero account (tax types differ per organisation)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    xero_account = models.ForeignKey(XeroAccount, on_delete=models.CASCADE, related_name="tax_rate_mappings")
    rate = models.DecimalField(**TAX_RATE)
    tax_type = models.CharField(max_length=50)

    class Meta:
        ordering = ["rate"]
        constraints = [models.UniqueConstraint(fields=["xero_account", "rate"], name="tax_mapping_unique_rate")]


class CategoryAccountCode(models.Model):
    """Which account code a product category's lines are coded to, per Xero account (charts differ per organisation)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    xero_account = models.ForeignKey(XeroAccount, on_delete=models.CASCADE, related_name="category_account_codes")
    category = models.ForeignKey(ProductCategory, on_delete=models.CASCADE, related_name="account_codes")
    account_code = models.CharField(max_length=10)

    class Meta:
        ordering = ["category__name"]
        constraints = [
            models.UniqueConstraint(fields=["xero_account", "category"], name="category_code_unique_category")
        ]


class ExchangeRate(models.Model):
    """Onport's rate for a currency from a date on, as Xero's CurrencyRate spells it: units of `currency` that one
    unit of the organisation's base currency buys (1 GBP = 1.1650 EUR), so an amount in base currency is the amount
    divided by the rate."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="exchange_rates")
    base_currency = models.CharField(max_length=3)
    currency = models.CharField(max_length=3)
    rate_date = models.DateField("from")
    rate = models.DecimalField(max_digits=18, decimal_places=6)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["currency", "-rate_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "base_currency", "currency", "rate_date"], name="exchange_rate_unique_day"
            ),
            models.CheckConstraint(condition=models.Q(rate__gt=0), name="exchange_rate_positive"),
        ]


class XeroTrackingOption(models.Model):
    """Onport's copy of one tracking option of the organisation, with its category, as last read from Xero: the
    preflight checks a mapped option against it without calling Xero."""

    xero_account = models.ForeignKey(XeroAccount, on_delete=models.CASCADE, related_name="tracking_options")
    category_id = models.CharField(max_length=64)
    category_name = models.CharField(max_length=100)
    category_status = models.CharField(max_length=10)
    option_id = models.CharField(max_length=64)
    option_name = models.CharField(max_length=100)
    option_status = models.CharField(max_length=10)
    read_at = models.DateTimeField()

    class Meta:
        ordering = ["category_name", "option_name"]
        constraints = [
            models.UniqueConstraint(fields=["xero_account", "option_id"], name="tracking_copy_unique_option")
        ]


class TrackingRuleKind(models.TextChoices):
    VENDOR = "vendor", "Vendor"
    SALES_CHANNEL = "sales_channel", "Order's sales channel"
    BRAND = "brand", "Order's brand"
    VENDOR_KIND = "vendor_kind", "Vendor kind"
    DEFAULT = "default", "Every other bill"


class TrackingRule(models.Model):
    """Which option of a tracking category a bill's lines get. The most specific rule that matches wins: the vendor,
    then the order's sales channel, its brand, the vendor's kind, and the category's default."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    xero_account = models.ForeignKey(XeroAccount, on_delete=models.CASCADE, related_name="tracking_rules")
    category_id = models.CharField(max_length=64)
    category_name = models.CharField(max_length=100)
    option_id = models.CharField(max_length=64)
    option_name = models.CharField(max_length=100)
    kind = models.CharField(max_length=20, choices=TrackingRuleKind.choices)
    vendor = models.ForeignKey(Vendor, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    value = models.CharField(max_length=60, blank=True)  # the vendor kind, sales channel or brand matched
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["category_name", "kind", "value", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["xero_account", "category_id", "vendor"],
                condition=models.Q(vendor__isnull=False),
                name="tracking_rule_unique_vendor",
            ),
            models.UniqueConstraint(
                fields=["xero_account", "category_id", "kind", "value"],
                condition=models.Q(vendor__isnull=True),
                name="tracking_rule_unique_match",
            ),
        ]
