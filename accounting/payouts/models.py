"""Automated vendor payout (Advance plan and above): settings, vendor bank details, runs, and the payments outbox.

Registered with Django through `accounting/models.py`. Bank details are encrypted at rest
(EncryptedTextField) and only ever shown masked; the full numbers leave Onport only inside a payment file.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse

from accounting.outbox.models import OutboxRow, State
from contacts.models import Vendor
from integrations.models import XeroAccount
from invoicing.models import MONEY, PurchaseInvoice
from onport.crypto import EncryptedTextField
from onport.models import Account
from onport.validators import no_control_characters


def mask(value: str, *, keep_start: int = 4, keep_end: int = 4) -> str:
    """'GB29NWBK60161331926819' → 'GB29 •••• •••• 6819' (short values keep only their last characters)."""
    value = (value or "").replace(" ", "")
    if not value:
        return ""
    if len(value) <= keep_start + keep_end:
        return "•••• " + value[-min(len(value), 2) :]
    return f"{value[:keep_start]} •••• •••• {value[-keep_end:]}"


class PayoutSchedule(models.TextChoices):
    DAILY = "daily", "Daily"
    WEEKLY = "weekly", "Weekly"
    FORTNIGHTLY = "fortnightly", "Every two weeks"
    MONTHLY = "monthly", "Monthly"


def bank_account_label(code: str, name: str) -> str:
    """How a Xero bank account is named on the payout pages ("090 – Business Bank"; Xero's may have no code)."""
    return f"{code} – {name}" if code else name


class PayoutSettings(models.Model):
    """Setup > Payouts: when runs happen, which invoices they take, and what pays them."""

    account = models.OneToOneField(Account, on_delete=models.CASCADE, related_name="payout_settings")
    enabled = models.BooleanField("run payouts on the schedule", default=False)
    schedule = models.CharField(max_length=20, choices=PayoutSchedule.choices, default=PayoutSchedule.WEEKLY)
    delay_days = models.PositiveSmallIntegerField(
        "pay invoices this many days after they are issued", default=30, validators=[MaxValueValidator(365)]
    )
    bank_account_id = models.CharField(max_length=64, blank=True)
    bank_account_code = models.CharField("Xero bank account", max_length=10, blank=True)
    bank_account_name = models.CharField(max_length=150, blank=True)
    # The main bank account's currency as Xero gave it when it was chosen ("" when saved before currencies were
    # kept: then taken to be the organisation's base currency, which is what Xero's bank accounts mostly are).
    bank_account_currency = models.CharField(max_length=3, blank=True)
    minimum_amount = models.DecimalField(
        "minimum amount per vendor", **MONEY, default=Decimal("0.00"), validators=[MinValueValidator(Decimal(0))]
    )
    payer_name = models.CharField(
        "your account holder name", max_length=70, blank=True, validators=[no_control_characters]
    )
    payer_iban = EncryptedTextField("your IBAN", blank=True)
    payer_bic = EncryptedTextField("your BIC", blank=True)
    last_scheduled_on = models.DateField(null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Payout settings of {self.account}"

    @property
    def payer_iban_masked(self) -> str:
        return mask(self.payer_iban)

    @property
    def bank_account_label(self) -> str:
        chosen = self.bank_account_code or self.bank_account_id
        return bank_account_label(self.bank_account_code, self.bank_account_name) if chosen else ""


class PayoutCurrencyAccount(models.Model):
    """Setup > Payouts, "Pay EUR invoices from": the Xero bank account, in that currency, that pays its invoices.

    Xero records a payment against a EUR bill only from a EUR bank account (or a base-currency one at a rate),
    and the bank file pays EUR from a EUR account, so each foreign currency a run pays has its own account.
    """

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    settings = models.ForeignKey(PayoutSettings, on_delete=models.CASCADE, related_name="currency_accounts")
    currency = models.CharField(max_length=3)
    bank_account_id = models.CharField(max_length=64)
    bank_account_code = models.CharField(max_length=10, blank=True)
    bank_account_name = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["currency"]
        constraints = [
            models.UniqueConstraint(fields=["account", "currency"], name="payout_currency_account_unique_currency")
        ]

    def __str__(self) -> str:
        return f"{self.currency} payouts from {self.bank_account_label}"

    @property
    def bank_account_label(self) -> str:
        return bank_account_label(self.bank_account_code, self.bank_account_name)


class VendorBankDetails(models.Model):
    """Where a vendor is paid: IBAN + BIC (SEPA and IBAN countries) or account number + bank code elsewhere."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    vendor = models.OneToOneField(Vendor, on_delete=models.CASCADE, related_name="bank_details")
    holder_name = models.CharField("account holder", max_length=70, validators=[no_control_characters])
    country = models.CharField(max_length=2, help_text="Two-letter country code of the bank, e.g. DE.")
    iban = EncryptedTextField("IBAN", blank=True)
    bic = EncryptedTextField("BIC", blank=True)
    account_number = EncryptedTextField(blank=True)
    bank_code = EncryptedTextField("bank code (sort code, routing number…)", blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Bank details of {self.vendor}"

    @property
    def is_complete(self) -> bool:
        return bool(self.iban or (self.account_number and self.bank_code))

    @property
    def masked(self) -> dict[str, str]:
        return {
            "holder_name": self.holder_name,
            "country": self.country,
            "iban": mask(self.iban),
            "bic": self.bic[:4] + "••••" if self.bic else "",
            "account_number": mask(self.account_number, keep_start=0, keep_end=4).replace(" •••• •••• ", "•••• "),
            "bank_code": mask(self.bank_code, keep_start=0, keep_end=2).replace(" •••• •••• ", "•••• "),
        }

    @property
    def summary(self) -> str:
        masked = self.masked
        if self.iban:
            return f"{masked['iban']}" + (f" · BIC {masked['bic']}" if self.bic else "")
        bank_code = "sort code" if self.country == "GB" else "bank"
        return f"Account {masked['account_number']} · {bank_code} {masked['bank_code']}"


class VendorBankDetailsChange(models.Model):
    """The audit trail of a vendor's bank details: who changed what and when (values masked)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    vendor = models.ForeignKey(Vendor, on_delete=models.CASCADE, related_name="bank_details_changes")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changes = models.JSONField(default=dict)  # {field label: [old masked, new masked]}
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]


class PayoutRunStatus(models.TextChoices):
    REVIEW = "review", "Waiting for approval"
    APPROVED = "approved", "File ready"
    SENT = "sent", "Sent to the bank"
    CANCELLED = "cancelled", "Cancelled"


class PayoutRun(models.Model):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="payout_runs")
    xero_account = models.ForeignKey(XeroAccount, on_delete=models.PROTECT, related_name="payout_runs")
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=20, choices=PayoutRunStatus.choices, default=PayoutRunStatus.REVIEW)
    scheduled = models.BooleanField(default=False)
    payment_date = models.DateField()
    reference = models.CharField(max_length=35)
    bank_account_id = models.CharField(max_length=64, blank=True)
    bank_account_code = models.CharField(max_length=10)
    bank_account_name = models.CharField(max_length=150, blank=True)
    delay_days = models.PositiveSmallIntegerField()
    minimum_amount = models.DecimalField(**MONEY)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["account", "number"], name="payout_run_unique_number")]

    def __str__(self) -> str:
        return self.reference

    def get_absolute_url(self) -> str:
        return reverse("payouts:run_detail", args=[self.pk])


class PayoutLineStatus(models.TextChoices):
    INCLUDED = "included", "To pay"
    SKIPPED = "skipped", "Skipped"
    PAID = "paid", "Paid"
    FAILED = "failed", "Payment failed"


class PayoutLine(models.Model):
    """One vendor (in one currency) of a run: what it is owed, or why it is skipped."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    run = models.ForeignKey(PayoutRun, on_delete=models.CASCADE, related_name="lines")
    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="payout_lines")
    currency = models.CharField(max_length=3)
    gross = models.DecimalField(**MONEY)
    credits = models.DecimalField(**MONEY, default=Decimal("0.00"))
    amount = models.DecimalField(**MONEY)
    status = models.CharField(max_length=10, choices=PayoutLineStatus.choices, default=PayoutLineStatus.INCLUDED)
    reason = models.TextField(blank=True)  # why skipped or why the payment failed
    bank_summary = models.CharField(max_length=120, blank=True)  # masked, as it was at the run
    end_to_end_id = models.CharField(max_length=35, blank=True)
    # The Xero bank account (in the line's currency) its payments are recorded from, chosen at collection;
    # empty on lines collected before per-currency accounts (their run's account then).
    bank_account_id = models.CharField(max_length=64, blank=True)
    bank_account_code = models.CharField(max_length=10, blank=True)
    bank_account_name = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["vendor__name", "currency", "id"]
        constraints = [models.UniqueConstraint(fields=["run", "vendor", "currency"], name="payout_line_unique_vendor")]

    @property
    def bank_account_label(self) -> str:
        return bank_account_label(self.bank_account_code, self.bank_account_name)

    @property
    def payment_refused_by_xero(self) -> bool:
        """A payment of this line that Xero refused (uses the prefetched payments of the run page)."""
        return any(payment.state == PaymentState.FAILED for payment in self.payments.all())


class PayoutItem(models.Model):
    """One invoice of a payout line and the amount it gets (what Xero says is still due on its bill)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    line = models.ForeignKey(PayoutLine, on_delete=models.CASCADE, related_name="items")
    invoice = models.ForeignKey(PurchaseInvoice, on_delete=models.PROTECT, related_name="payout_items")
    bill_id = models.CharField(max_length=64)
    total = models.DecimalField(**MONEY)
    credits = models.DecimalField(**MONEY, default=Decimal("0.00"))  # what Xero no longer shows as due
    amount = models.DecimalField(**MONEY)
    payable = models.BooleanField(default=True)  # False: Xero would refuse the payment now (see reason)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["invoice__issue_date", "invoice__number", "id"]
        constraints = [models.UniqueConstraint(fields=["line", "invoice"], name="payout_item_unique_invoice")]


class PayoutFileFormat(models.TextChoices):
    PAIN001 = "pain001", "SEPA credit transfer (pain.001)"
    CSV = "csv", "CSV"


class PayoutFile(models.Model):
    """A bank payment file of a run (one per currency), kept as produced; it holds full bank details, so it is encrypted."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    run = models.ForeignKey(PayoutRun, on_delete=models.CASCADE, related_name="files")
    currency = models.CharField(max_length=3)
    format = models.CharField(max_length=10, choices=PayoutFileFormat.choices)
    filename = models.CharField(max_length=100)
    content = EncryptedTextField()
    transactions = models.PositiveIntegerField()
    total = models.DecimalField(**MONEY)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["currency"]
        constraints = [models.UniqueConstraint(fields=["run", "currency"], name="payout_file_unique_currency")]


class PaymentState(models.TextChoices):
    """The outbox engine's states (`accounting.outbox.models.State`), in the words of a payout run."""

    PENDING = State.PENDING.value, "Waiting to record"
    SENDING = State.SENDING.value, "Sending"
    SYNCED = State.SYNCED.value, "Recorded in Xero"
    FAILED = State.FAILED.value, "Xero refused it"
    UNKNOWN = State.UNKNOWN.value, "Checking with Xero"
    PAUSED = State.PAUSED.value, "Paused (reconnect Xero)"


class PayoutPayment(OutboxRow):
    """The outbox row of one payment to record against one bill in Xero (same shape as AccountingSync)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    xero_account = models.ForeignKey(XeroAccount, on_delete=models.PROTECT, related_name="payout_payments")
    line = models.ForeignKey(PayoutLine, on_delete=models.CASCADE, related_name="payments")
    invoice = models.ForeignKey(PurchaseInvoice, on_delete=models.PROTECT, related_name="payout_payments")
    bill_id = models.CharField(max_length=64)
    bank_account_id = models.CharField(max_length=64, blank=True)
    bank_account_code = models.CharField(max_length=10)
    amount = models.DecimalField(**MONEY)
    date = models.DateField()
    reference = models.CharField(max_length=255)
    state = models.CharField(max_length=20, choices=PaymentState.choices, default=PaymentState.PENDING)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["line", "invoice"], name="payout_payment_unique_invoice")]
        indexes = [
            models.Index(fields=["xero_account", "state", "next_attempt_at"], name="payout_payment_drain"),
            models.Index(fields=["xero_account", "state", "priority", "id"], name="payout_payment_claim"),
        ]

    def __str__(self) -> str:
        return f"Payment of {self.amount} for {self.invoice_id}: {self.state}"
