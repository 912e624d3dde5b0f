"""The periodic sweep: nothing waits forever and a lost message or a dead worker loses nothing."""

from accounting.outbox.models import Reason
from accounting.outbox.results import Outcome, Problem
from accounting.sync.changes import changes_since_sync, rows_by_xero_account
from accounting.sync.inputs import CodingContext, bill_input
from accounting.sync.models import AccountingSync, SyncKind, SyncState
from accounting.sync.outbox import DOCUMENTS
from accounting.sync.records import syncs_record
from accounting.sync.services import drain_queue
from integrations.xero.mapping import fingerprint

RECHECK_LIMIT = 500


def sweep() -> list[int]:
    """Re-arm what can go again and return the ids of the Xero accounts that have work (to drain)."""
    _rearm_changed()
    changes_since_sync()
    return DOCUMENTS.sweep()


def _rearm_changed() -> None:
    """Refused or stuck rows go again once the invoice or its mapping changed (not before: Xero would refuse again)."""
    rows = AccountingSync.objects.filter(state__in=[SyncState.FAILED, SyncState.NEEDS_ATTENTION], kind=SyncKind.BILL)
    _rearm(rows, "The invoice or its Xero mapping changed; sending again.")


def waiting_rows_rearm(*, account) -> int:
    """Setup > Accounting was saved: the account's bills waiting on it that are now complete go again (after the
    commit, through the sweep's own check); returns how many."""
    rows = AccountingSync.objects.for_account(account).filter(
        state__in=[SyncState.FAILED, SyncState.NEEDS_ATTENTION], kind=SyncKind.BILL
    )
    rearmed = _rearm(rows, "Setup > Accounting was saved; sending again.")
    for xero_account_id in {row.xero_account_id for row in rearmed}:
        drain_queue(xero_account_id)
    return len(rearmed)


def _rearm(rows, message: str) -> list[AccountingSync]:
    rows = list(
        rows.select_related("invoice__vendor", "invoice__order", "xero_account")
        .prefetch_related("invoice__lines")
        .order_by("updated_at")[:RECHECK_LIMIT]
    )
    outcomes = []
    for group in rows_by_xero_account(rows).values():
        context = CodingContext.load(xero_account=group[0].xero_account, invoices=[row.invoice for row in group])
        for row in group:
            built = bill_input(row.invoice, context, posting_date=row.posting_date)
            if isinstance(built, Problem):
                continue
            changed = fingerprint(built) != row.payload_fingerprint
            if row.reason == Reason.NOT_MODIFIABLE and not changed:
                continue  # paid or voided in Xero: only a change in Onport can make a difference
            if row.state == SyncState.NEEDS_ATTENTION or changed:
                outcomes.append(Outcome(row, SyncState.PENDING, Reason.CHANGED, message))
    if outcomes:
        syncs_record(outcomes, fields=[])
    return [outcome.row for outcome in outcomes]
