"""Organisations sharing a scarce app-wide minute take turns batch by batch: a backlog whose call had to wait
for the app's budget gives its worker back after that batch, so organisations queued behind it get calls too
(with a whole 30-second turn each, 200 organisations on a dozen workers were served in waves: some finished,
others had no call at all)."""

import uuid

import pytest

from accounting.outbox.models import Priority
from accounting.sync.models import AccountingSync
from accounting.sync.outbox import drain
from accounting.sync.services import sync_request_many
from integrations.xero.errors import XeroRateLimited
from integrations.xero.ratelimit import URGENT, RateLimiter
from tests.factories import invoice_create, order_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def backlog(books, linked_vendor, settings):
    """60 invoices waiting as a backfill (two batches of bills), a short window, no pacing within it."""
    settings.XERO_RATE_WINDOW_SECONDS, settings.XERO_RATE_WINDOW_MARGIN = 2.0, 0.0
    settings.XERO_APP_PACE_SLICES, settings.XERO_APP_RESERVE = 1, 0
    invoices = [invoice_create(order=order_create(vendor=linked_vendor, lines=((1, "10.00"),))) for _ in range(60)]
    sync_request_many(account=linked_vendor.account, invoices=invoices)
    AccountingSync.objects.update(priority=Priority.BACKFILL)
    return books


def _app_minute_used_up_by_other_organisations() -> int:
    """Other organisations' calls until the app's minute has none left (connecting used some already)."""
    for spent in range(100):
        try:
            with RateLimiter(f"other-{uuid.uuid4()}", URGENT).slot(max_wait=0):
                pass
        except XeroRateLimited:
            return spent
    raise AssertionError("the app's minute never ran out")


def test_a_backlog_that_waited_for_the_app_minute_gives_its_worker_back_after_one_batch(backlog, settings):
    settings.XERO_APP_CALLS_PER_MINUTE = 3
    _app_minute_used_up_by_other_organisations()

    report = drain(xero_account_id=backlog.xero_account.pk)

    assert report.batches == 1 and report.more  # queued again, behind the organisations waiting for a worker
    assert len(backlog.bills()) == 50


def test_with_the_app_minute_to_spare_a_backlog_keeps_its_turn(backlog, settings):
    settings.XERO_APP_CALLS_PER_MINUTE = 10_000

    report = drain(xero_account_id=backlog.xero_account.pk)

    assert report.batches == 2 and not report.more
    assert len(backlog.bills()) == 60
