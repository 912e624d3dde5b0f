"""The sync engine's outbox of documents for Xero (bills, credit notes, adjustment bills) and their history."""

from decimal import Decimal

from django.conf import settings
from django.db import models

from accounting.outbox.models import OutboxRow, Reason, State
from integrations.models import XeroAccount
from invoicing.models import MONEY, InvoiceAdjustment, PurchaseInvoice
from onport.models import Account


class SyncKind(models.TextChoices):
    BILL = "bill", "Bill"
    CREDIT_NOTE = "credit_note", "Credit note"
    DEBIT_BILL = "debit_bill", "Adjustment bill"


class SyncState(models.TextChoices):
    """The outbox engine's states (`accounting.outbox.models.State`), in the words of the Sync log."""

    PENDING = State.PENDING.value, "Waiting to sync"
    SENDING = State.SENDING.value, "Sending"
    SYNCED = State.SYNCED.value, "Synced"
    FAILED = State.FAILED.value, "Xero refused it"
    UNKNOWN = State.UNKNOWN.value, "Checking with Xero"
    NEEDS_ATTENTION = State.NEEDS_ATTENTION.value, "Needs attention"
    PAUSED = State.PAUSED.value, "Paused (reconnect Xero)"
    CHANGED = State.CHANGED.value, "Changed since synced"
    CANCELLED = State.CANCELLED.value, "Not sent (voided in Onport)"


class XeroStatus(models.TextChoices):
    """Where an invoice's bill stands in Xero, as the Payments list shows and filters it: each sync state
    belongs to one of these (an invoice without a bill row is not synced)."""

    NOT_SYNCED = "not_synced", "Not synced"
    ON_ITS_WAY = "on_its_way", "On its way"
    SYNCED = "synced", "Synced"
    CHANGED = "changed", "Changed since synced"
    NEEDS_ATTENTION = "needs_attention", "Needs attention"
    FAILED = "failed", "Failed"


XERO_STATUS_STATES: dict[str, tuple[str, ...]] = {
    XeroStatus.NOT_SYNCED: (SyncState.CANCELLED,),  # and every invoice with no bill row
    XeroStatus.ON_ITS_WAY: (SyncState.PENDING, SyncState.SENDING, SyncState.UNKNOWN),
    XeroStatus.SYNCED: (SyncState.SYNCED,),
    XeroStatus.CHANGED: (SyncState.CHANGED,),
    XeroStatus.NEEDS_ATTENTION: (SyncState.NEEDS_ATTENTION, SyncState.PAUSED),
    XeroStatus.FAILED: (SyncState.FAILED,),
}


class AccountingSyncQuerySet(models.QuerySet):
    def for_account(self, account: Account) -> "AccountingSyncQuerySet":
        return self.filter(account=account)


class AccountingSync(OutboxRow):
    """The outbox row of one document to push to Xero; one per (invoice, kind) or (adjustment, kind)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    xero_account = models.ForeignKey(XeroAccount, on_delete=models.PROTECT, related_name="syncs")
    kind = models.CharField(max_length=20, choices=SyncKind.choices, default=SyncKind.BILL)
    invoice = models.ForeignKey(PurchaseInvoice, on_delete=models.CASCADE, related_name="syncs")
    adjustment = models.ForeignKey(
        InvoiceAdjustment, null=True, blank=True, on_delete=models.CASCADE, related_name="syncs"
    )
    state = models.CharField(max_length=20, choices=SyncState.choices, default=SyncState.PENDING)
    xero_url = models.URLField(max_length=500, blank=True)
    xero_status = models.CharField(max_length=20, blank=True)
    payload_fingerprint = models.CharField(max_length=64, blank=True)
    synced_fingerprint = models.CharField(max_length=64, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    # The bill's date when it is not the invoice's: the first day after Xero's lock date, chosen by a person.
    posting_date = models.DateField(null=True, blank=True)

    objects = AccountingSyncQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["invoice", "kind"], condition=models.Q(adjustment__isnull=True), name="sync_unique_invoice_kind"
            ),
            models.UniqueConstraint(
                fields=["adjustment", "kind"],
                condition=models.Q(adjustment__isnull=False),
                name="sync_unique_adjustment",
            ),
        ]
        indexes = [
            models.Index(fields=["xero_account", "state", "next_attempt_at"], name="sync_drain"),
            models.Index(fields=["xero_account", "state", "priority", "id"], name="sync_claim"),
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
    reason = models.CharField(max_length=30, choices=Reason.choices, blank=True)
    message = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["invoice", "-created_at"], name="sync_event_invoice")]


class BillPayment(OutboxRow):
    """The payment of an invoice marked paid in Onport, to record against its bill in Xero (Setup > Accounting's
    "Record payments in Xero"). Its bill and amount are read when it is sent: Xero's amount due on the bill."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    xero_account = models.ForeignKey(XeroAccount, on_delete=models.PROTECT, related_name="bill_payments")
    invoice = models.ForeignKey(PurchaseInvoice, on_delete=models.CASCADE, related_name="bill_payments")
    state = models.CharField(max_length=20, choices=SyncState.choices, default=SyncState.PENDING)
    bill_id = models.CharField(max_length=64, blank=True)
    bank_account_id = models.CharField(max_length=64, blank=True)
    bank_account_code = models.CharField(max_length=10, blank=True)
    amount = models.DecimalField(**MONEY, default=Decimal("0.00"))
    date = models.DateField()
    reference = models.CharField(max_length=255)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["invoice"], name="bill_payment_unique_invoice")]
        indexes = [
            models.Index(fields=["xero_account", "state", "next_attempt_at"], name="bill_payment_drain"),
            models.Index(fields=["xero_account", "state", "priority", "id"], name="bill_payment_claim"),
        ]

    def __str__(self) -> str:
        return f"Payment of invoice {self.invoice_id}: {self.state}"


class BillNote(OutboxRow):
    """A note on the bill's History in Xero with what Xero has no field for: the vendor's own invoice number, the
    purchase order and the customer's sales order. One per invoice; `written` is the note Xero has (a changed
    number writes a new note: Xero's history is kept, not edited)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    xero_account = models.ForeignKey(XeroAccount, on_delete=models.PROTECT, related_name="bill_notes")
    invoice = models.OneToOneField(PurchaseInvoice, on_delete=models.CASCADE, related_name="bill_note")
    state = models.CharField(max_length=20, choices=SyncState.choices, default=SyncState.PENDING)
    bill_id = models.CharField(max_length=64, blank=True)
    details = models.TextField()
    written = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["xero_account", "state", "next_attempt_at"], name="bill_note_drain"),
            models.Index(fields=["xero_account", "state", "priority", "id"], name="bill_note_claim"),
        ]

    def __str__(self) -> str:
        return f"Note on the bill of invoice {self.invoice_id}: {self.state}"


class BillDocument(OutboxRow):
    """The invoice's document attached to its bill in Xero (Setup > Accounting's "Attach the invoice document"):
    the vendor's file when one was uploaded, else Onport's PDF. `sha256` is what is to be attached, `attached`
    what Xero has; one attachment per file name (a file of the same name replaces it)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    xero_account = models.ForeignKey(XeroAccount, on_delete=models.PROTECT, related_name="bill_documents")
    invoice = models.OneToOneField(PurchaseInvoice, on_delete=models.CASCADE, related_name="bill_document")
    state = models.CharField(max_length=20, choices=SyncState.choices, default=SyncState.PENDING)
    bill_id = models.CharField(max_length=64, blank=True)
    file_name = models.CharField(max_length=255, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    attached = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["xero_account", "state", "next_attempt_at"], name="bill_document_drain"),
            models.Index(fields=["xero_account", "state", "priority", "id"], name="bill_document_claim"),
        ]

    def __str__(self) -> str:
        return f"Document on the bill of invoice {self.invoice_id}: {self.state}"
