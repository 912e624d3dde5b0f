"""What every outbox row shares (bills, credit notes, adjustment bills, payments), and the words for it.

`State` holds the states the engine moves rows through; each outbox's own state choices use the same
values (with labels of their own). `Reason` is stored beside the message a person reads, so code decides
on the reason and never on the words.
"""

from typing import TYPE_CHECKING, Any

from django.db import models


class State(models.TextChoices):
    PENDING = "pending", "Waiting to send"
    SENDING = "sending", "Sending"
    SYNCED = "synced", "In Xero"
    FAILED = "failed", "Xero refused it"
    UNKNOWN = "unknown", "Checking with Xero"
    NEEDS_ATTENTION = "needs_attention", "Needs attention"
    PAUSED = "paused", "Paused (reconnect Xero)"
    CHANGED = "changed", "Changed since synced"  # in Xero, changed in Onport since: waits for sync accounting
    CANCELLED = "cancelled", "Not sent"  # voided in Onport before it reached Xero


class Reason(models.TextChoices):
    REQUESTED = "requested", "Requested"
    ALREADY_ON_ITS_WAY = "already_on_its_way", "Requested while on its way"
    RETRY_REQUESTED = "retry_requested", "Retry requested"
    CREATED = "created", "Created in Xero"
    UPDATED = "updated", "Updated in Xero"
    UP_TO_DATE = "up_to_date", "Already up to date"
    ADOPTED = "adopted", "Found in Xero after a lost answer"
    NOT_IN_XERO = "not_in_xero", "Not in Xero after a lost answer"
    RATE_LIMITED = "rate_limited", "Xero's rate limit"
    XERO_DOWN = "xero_down", "Xero unavailable"
    NO_ANSWER = "no_answer", "Xero did not answer"
    REFUSED = "refused", "Refused by Xero"
    NOT_MODIFIABLE = "not_modifiable", "Paid or voided in Xero"
    PREFLIGHT = "preflight", "Stopped by Onport's checks"
    WAITING_FOR_BILL = "waiting_for_bill", "Waiting for the bill"
    RECONNECT = "reconnect", "Xero account needs reconnecting"
    SCOPE_MISSING = "scope_missing", "Connection lacks a permission"
    RESUMED = "resumed", "Resumed after reconnecting"
    CHANGED = "changed", "Changed since Xero refused it"
    AMENDED = "amended", "Amended in Onport"
    VOID_REQUESTED = "void_requested", "Voided in Onport"
    VOIDED = "voided", "Voided in Xero"
    HAS_PAYMENTS = "has_payments", "Has payments in Xero"
    DAY_BUDGET = "day_budget", "Xero's daily limit nearly used"


class Priority(models.IntegerChoices):
    """Who is waiting: a batch takes a Xero account's rows in this order, and what it may spend of the
    shared day and app budgets depends on its most urgent row."""

    MANUAL = 0, "Requested by a person"
    AUTOMATIC = 1, "Automatic"
    BACKFILL = 2, "Backfill"


class OutboxRow(models.Model):
    """One document on its way to one Xero account; subclasses add what the document is."""

    xero_id = models.CharField(max_length=64, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    reason = models.CharField(max_length=30, choices=Reason.choices, blank=True)
    idempotency_key = models.CharField(max_length=128, blank=True)
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.AUTOMATIC)
    synced_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    if TYPE_CHECKING:
        # What every concrete row declares itself (its own state choices, its own related names) and the
        # engine relies on; named here for the type checker only, so Django's fields are unchanged.
        id: int
        state: str
        account_id: int
        xero_account_id: int
        invoice_id: int
        objects: models.Manager[Any]  # the engine knows the concrete model only at run time

    class Meta:
        abstract = True
