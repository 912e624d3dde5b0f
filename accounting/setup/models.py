"""Setup > Accounting: which Xero account, when to sync, and how bills are coded."""

from django.db import models

from integrations.models import XeroAccount
from invoicing.models import TAX_RATE
from onport.models import Account


class LineAmountType(models.TextChoices):
    EXCLUSIVE = "Exclusive", "Tax exclusive"
    INCLUSIVE = "Inclusive", "Tax inclusive"
    NO_TAX = "NoTax", "No tax"


class BillStatus(models.TextChoices):
    DRAFT = "DRAFT", "Draft"
    SUBMITTED = "SUBMITTED", "Awaiting approval"
    AUTHORISED = "AUTHORISED", "Awaiting payment"


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
