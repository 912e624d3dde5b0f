"""The periodic sweep: nothing waits forever and a lost message or a dead worker loses nothing."""

from django.db.models import Q
from django.utils import timezone

from accounting.sync.inputs import CodingContext, bill_input
from accounting.sync.models import AccountingSync, SyncKind, SyncState
from accounting.sync.services import syncs_record
from integrations.models import XeroAccount
from integrations.xero.mapping import fingerprint

RECHECK_LIMIT = 500


def sweep() -> list[int]:
    """Re-arm what can go again and return the ids of the Xero accounts that have work (to drain)."""
    now = timezone.now()
    AccountingSync.objects.filter(state=SyncState.SENDING, lease_until__lt=now).update(
        state=SyncState.UNKNOWN, next_attempt_at=now, updated_at=now
    )
    ready = [xero_account for xero_account in XeroAccount.objects.filter(syncs__state=SyncState.PAUSED).distinct() if xero_account.is_ready]
    for xero_account in ready:
        rows = list(AccountingSync.objects.filter(xero_account=xero_account, state=SyncState.PAUSED))
        syncs_record([(row, SyncState.PENDING, "Xero is reconnected; sending again.") for row in rows], fields=[])
    _rearm_changed()
    due = AccountingSync.objects.filter(state__in=[SyncState.PENDING, SyncState.UNKNOWN]).filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )
    return sorted(set(due.values_list("xero_account_id", flat=True)))


def _rearm_changed() -> None:
    """Refused or stuck rows go again once the invoice or its mapping changed (not before: Xero would refuse again)."""
    rows = list(
        AccountingSync.objects.filter(state__in=[SyncState.FAILED, SyncState.NEEDS_ATTENTION], kind=SyncKind.BILL)
        .select_related("invoice__vendor", "xero_account").prefetch_related("invoice__lines")
        .order_by("updated_at")[:RECHECK_LIMIT]
    )
    by_xero_account: dict[int, list[AccountingSync]] = {}
    for row in rows:
        by_xero_account.setdefault(row.xero_account_id, []).append(row)
    outcomes = []
    for group in by_xero_account.values():
        context = CodingContext.load(xero_account=group[0].xero_account, vendor_ids={row.invoice.vendor_id for row in group})
        for row in group:
            built = bill_input(row.invoice, context)
            if isinstance(built, str):
                continue
            current = fingerprint(built)
            if row.state == SyncState.NEEDS_ATTENTION and "paid or voided" in row.last_error and current == row.payload_fingerprint:
                continue
            if row.state == SyncState.NEEDS_ATTENTION or current != row.payload_fingerprint:
                outcomes.append((row, SyncState.PENDING, "The invoice or its Xero mapping changed; sending again."))
    if outcomes:
        syncs_record(outcomes, fields=[])
