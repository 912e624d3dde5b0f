from django.conf import settings
from django.db import models

from integrations.models import XeroAccount
from invoicing.models import TAX_RATE, InvoiceAdjustment, PurchaseInvoice
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
    bill_status = models.CharField("create bills as", max_length=12, choices=BillStatus.choices, default=BillStatus.DRAFT)
    due_date_from_terms = models.BooleanField("due date from the vendor's payment terms", default=True)
    adjustments_enabled_by_staff = models.BooleanField(
        "support enabled adjustment sync", default=False, help_text="Only Onport staff can switch this."
    )
    sync_adjustments = models.BooleanField("Sync adjustments", default=False)
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


class SyncKind(models.TextChoices):
    BILL = "bill", "Bill"
    CREDIT_NOTE = "credit_note", "Credit note"
    DEBIT_BILL = "debit_bill", "Adjustment bill"


class SyncState(models.TextChoices):
    PENDING = "pending", "Waiting to sync"
    SENDING = "sending", "Sending"
    SYNCED = "synced", "Synced"
    FAILED = "failed", "Xero refused it"
    UNKNOWN = "unknown", "Checking with Xero"
    NEEDS_ATTENTION = "needs_attention", "Needs attention"
    PAUSED = "paused", "Paused (reconnect Xero)"


class AccountingSyncQuerySet(models.QuerySet):
    def for_account(self, account: Account) -> "AccountingSyncQuerySet":
        return self.filter(account=account)


class AccountingSync(models.Model):
    """The outbox row of one document to push to Xero; one per (invoice, kind) or (adjustment, kind)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    xero_account = models.ForeignKey(XeroAccount, on_delete=models.PROTECT, related_name="syncs")
    kind = models.CharField(max_length=20, choices=SyncKind.choices, default=SyncKind.BILL)
    invoice = models.ForeignKey(PurchaseInvoice, on_delete=models.CASCADE, related_name="syncs")
    adjustment = models.ForeignKey(
        InvoiceAdjustment, null=True, blank=True, on_delete=models.CASCADE, related_name="syncs"
    )
    state = models.CharField(max_length=20, choices=SyncState.choices, default=SyncState.PENDING)
    xero_id = models.CharField(max_length=64, blank=True)
    xero_url = models.URLField(max_length=500, blank=True)
    xero_status = models.CharField(max_length=20, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    payload_fingerprint = models.CharField(max_length=64, blank=True)
    synced_fingerprint = models.CharField(max_length=64, blank=True)
    idempotency_key = models.CharField(max_length=128, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    synced_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AccountingSyncQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["invoice", "kind"], condition=models.Q(adjustment__isnull=True), name="sync_unique_invoice_kind"
            ),
            models.UniqueConstraint(
                fields=["adjustment", "kind"], condition=models.Q(adjustment__isnull=False), name="sync_unique_adjustment"
            ),
        ]
        indexes = [
            models.Index(fields=["xero_account", "state", "next_attempt_at"], name="sync_drain"),
            models.Index(fields=["account", "state", "-updated_at"], name="sync_account_state"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.invoice_id}: {self.state}"


class SyncEvent(models.Model):
    """What happened to a sync, in words a finance person understands (shown on the invoice page and the Sync log)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    sync = models.ForeignKey(AccountingSync, on_delete=models.CASCADE, related_name="events")
    invoice = models.ForeignKey(PurchaseInvoice, on_delete=models.CASCADE, related_name="sync_events")
    state = models.CharField(max_length=20, choices=SyncState.choices)
    message = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["invoice", "-created_at"], name="sync_event_invoice")]


from accounting.payout_models import *  # noqa: F401,F403 (registers the payout models)
