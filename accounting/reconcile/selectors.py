"""Reading comparisons, always within the current account."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from accounting.reconcile.models import BillSeen, Reconciliation, ReconciliationLine
from accounting.sync.models import AccountingSync
from integrations.models import XeroAccount


def reconciliation_latest(*, xero_account: XeroAccount) -> Reconciliation | None:
    return xero_account.reconciliations.filter(account_id=xero_account.account_id).first()


def reconciliation_get(*, xero_account: XeroAccount, reconciliation_id: int) -> Reconciliation:
    """One comparison of this Xero account (of the current account); any other id is a 404."""
    rows = Reconciliation.objects.filter(account_id=xero_account.account_id, xero_account=xero_account)
    return get_object_or_404(rows, pk=reconciliation_id)


def reconciliation_lines(*, reconciliation: Reconciliation) -> QuerySet[ReconciliationLine]:
    return reconciliation.lines.select_related("invoice", "vendor")


def bill_seen(*, sync: AccountingSync | None) -> BillSeen | None:
    """Where the bill stood in Xero when Onport last looked (None: not looked yet)."""
    return BillSeen.objects.filter(sync=sync).first() if sync is not None and sync.pk else None
