"""Reading comparisons, always within the current account."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from accounting.reconcile.models import BillSeen, Reconciliation, ReconciliationLine
from accounting.sync.models import AccountingSync
from integrations.models import XeroAccount, XeroWebhookEvent


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


def xero_awareness(*, xero_account: XeroAccount) -> dict:
    """When Xero last told Onport of a change in this organisation (webhooks) and when the nightly check last ran."""
    events = XeroWebhookEvent.objects.filter(tenant_id=(xero_account.tenant_id or "").lower())
    last_event = events.order_by("-received_at").values_list("received_at", flat=True).first()
    last_night = (
        xero_account.reconciliations.filter(account_id=xero_account.account_id, nightly=True)
        .values_list("started_at", flat=True)
        .first()
    )
    return {"webhook_last": last_event if xero_account.tenant_id else None, "nightly_last": last_night}
