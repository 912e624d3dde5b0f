"""Saving what happened to many outbox rows at once, with the history a finance person reads."""

from accounting.outbox.engine import Outbox
from accounting.outbox.results import Outcome
from accounting.sync.models import SyncEvent
from accounting.sync.notify import automatic_stops_notify
from onport.db import bulk_update_rows


def syncs_record(outcomes: list[Outcome], *, fields: list[str]) -> None:
    """Save many rows' new states (and `fields`) and their history in two queries."""
    rows = Outbox.apply(outcomes)
    bulk_update_rows(rows, ["state", "last_error", "reason", "updated_at", *fields])
    SyncEvent.objects.bulk_create(
        SyncEvent(
            account_id=outcome.row.account_id,
            sync=outcome.row,
            invoice_id=outcome.row.invoice_id,
            state=outcome.state,
            reason=outcome.reason,
            message=outcome.message,
        )
        for outcome in outcomes
    )
    automatic_stops_notify(outcomes)
