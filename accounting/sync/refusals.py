"""What a refusal says beyond its own bill: Onport's copy of Xero's lists is out of date (an account or tax rate
was archived in Xero, a currency removed), or Xero's lock date has moved. Both are read again in the background, once per Xero
account and drain, so Setup, the vendor pages and the fix shown on the invoice use what Xero has now."""

from functools import partial

from django.db import transaction

from accounting.outbox.results import Outcome
from accounting.sync import fixes
from accounting.sync.models import SyncState


def refusals_follow_up(outcomes: list[Outcome]) -> None:
    refused = [outcome for outcome in outcomes if outcome.state == SyncState.FAILED]
    if not refused:
        return
    from accounting.sync.tasks import xero_lists_refresh, xero_lock_dates_refresh  # tasks import the engine

    for xero_account_id in {
        outcome.row.xero_account_id for outcome in refused if fixes.means_stale_lists(outcome.message)
    }:
        transaction.on_commit(partial(xero_lists_refresh.delay, xero_account_id))
    for xero_account_id in {
        outcome.row.xero_account_id for outcome in refused if fixes.means_lock_date(outcome.message)
    }:
        transaction.on_commit(partial(xero_lock_dates_refresh.delay, xero_account_id))
