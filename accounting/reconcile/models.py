"""Reconcile with Xero: one comparison of a date range's invoices with the bills Xero has, and what differs."""

from django.conf import settings
from django.db import models

from accounting.sync.models import AccountingSync
from contacts.models import Vendor
from integrations.models import XeroAccount
from invoicing.models import MONEY, PurchaseInvoice
from onport.models import Account


class ReconciliationState(models.TextChoices):
    RUNNING = "running", "Reading Xero"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class Reconciliation(models.Model):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    xero_account = models.ForeignKey(XeroAccount, on_delete=models.CASCADE, related_name="reconciliations")
    date_from = models.DateField()
    date_to = models.DateField()
    state = models.CharField(max_length=10, choices=ReconciliationState.choices, default=ReconciliationState.RUNNING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    nightly = models.BooleanField(
        default=False, help_text="The nightly check (admins and finance hear of new differences)."
    )
    invoices_expected = models.PositiveIntegerField(default=0)
    bills_read = models.PositiveIntegerField(default=0)
    calls = models.PositiveIntegerField(default=0, help_text="Xero calls this comparison made.")
    onport_payable = models.DecimalField(**MONEY, default=0)
    xero_amount_due = models.DecimalField(**MONEY, default=0)
    error = models.TextField(blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]


class Difference(models.TextChoices):
    """What differs between an invoice and its bill, in the words the page and the CSV use."""

    NOT_IN_XERO = "not_in_xero", "Not in Xero"
    TOTAL = "total", "Total differs"
    TAX = "tax", "Tax differs"
    VOIDED_IN_XERO = "voided_in_xero", "Voided in Xero"
    DELETED_IN_XERO = "deleted_in_xero", "Deleted in Xero"
    VOID_IN_ONPORT = "void_in_onport", "Void in Onport, still in Xero"
    PAID_IN_XERO = "paid_in_xero", "Paid in Xero, unpaid in Onport"
    PART_PAID_IN_XERO = "part_paid_in_xero", "Part paid in Xero, unpaid in Onport"
    PAID_IN_ONPORT = "paid_in_onport", "Paid in Onport, unpaid in Xero"
    CREDIT_UNALLOCATED = "credit_unallocated", "Credit note not allocated"
    SECOND_BILL = "second_bill", "A second bill for this invoice"
    UNKNOWN_BILL = "unknown_bill", "In Xero, not known to Onport"


class ReconciliationLine(models.Model):
    reconciliation = models.ForeignKey(Reconciliation, on_delete=models.CASCADE, related_name="lines")
    difference = models.CharField(max_length=20, choices=Difference.choices)
    invoice = models.ForeignKey(PurchaseInvoice, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    vendor = models.ForeignKey(Vendor, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    xero_id = models.CharField(max_length=36, blank=True)
    xero_number = models.CharField(max_length=255, blank=True)
    onport_amount = models.DecimalField(**MONEY, null=True, blank=True)
    xero_amount = models.DecimalField(**MONEY, null=True, blank=True)
    explanation = models.CharField(max_length=500)
    what_to_do = models.CharField(max_length=500)

    class Meta:
        ordering = ["vendor__name", "invoice__number", "id"]


class VendorTotal(models.Model):
    """Per vendor: what Onport says is still payable against what Xero says is due, for the range."""

    reconciliation = models.ForeignKey(Reconciliation, on_delete=models.CASCADE, related_name="vendor_totals")
    vendor = models.ForeignKey(Vendor, null=True, on_delete=models.SET_NULL, related_name="+")
    vendor_name = models.CharField(max_length=255)
    onport_payable = models.DecimalField(**MONEY)
    xero_amount_due = models.DecimalField(**MONEY)

    class Meta:
        ordering = ["vendor_name", "id"]

    @property
    def agrees(self) -> bool:
        return self.onport_payable == self.xero_amount_due

    @property
    def difference(self):
        return self.onport_payable - self.xero_amount_due


class BillSeen(models.Model):
    """A bill as Onport last saw it in Xero (by a comparison or a webhook), for the invoice page."""

    sync = models.OneToOneField(AccountingSync, on_delete=models.CASCADE, related_name="seen_in_xero")
    status = models.CharField(max_length=20)
    total = models.DecimalField(**MONEY)
    amount_due = models.DecimalField(**MONEY)
    amount_paid = models.DecimalField(**MONEY)
    paid_on = models.DateField(null=True, blank=True)
    seen_at = models.DateTimeField()

    @property
    def words(self) -> str:
        """Where the bill stands in Xero, as the invoice page says it."""
        if self.status == "PAID":
            return f"Paid in Xero on {self.paid_on:%-d %b %Y}." if self.paid_on else "Paid in Xero."
        if self.status in ("VOIDED", "DELETED"):
            return f"{self.status.capitalize()} in Xero."
        if self.status in ("DRAFT", "SUBMITTED"):
            return (
                f"{'A draft' if self.status == 'DRAFT' else 'Awaiting approval'} in Xero ({self.amount_due:,.2f} due)."
            )
        if self.amount_paid > 0:
            return f"Part paid in Xero: {self.amount_paid:,.2f} paid, {self.amount_due:,.2f} still due."
        return f"Awaiting payment in Xero ({self.amount_due:,.2f} due)."


class DriftNotice(models.Model):
    """A difference admins and finance were told of (by the nightly check or a webhook): each is told once,
    and again only if it goes away and comes back."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    xero_account = models.ForeignKey(XeroAccount, on_delete=models.CASCADE, related_name="drift_notices")
    key = models.CharField(max_length=120)  # difference:invoice:xero id
    difference = models.CharField(max_length=20, choices=Difference.choices)
    invoice = models.ForeignKey(PurchaseInvoice, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    xero_id = models.CharField(max_length=36, blank=True)
    explanation = models.CharField(max_length=500)
    noticed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["xero_account", "key"], name="drift_notice_once")]
