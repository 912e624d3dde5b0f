"""Two drains of one Xero account at the same moment (threads, each with its own PostgreSQL connection, sharing the
Redis drain slots): each sends rows of its own, and only one of them looks up answers that were lost."""

from contextlib import ExitStack

import pytest
from django.db import connection
from django.utils import timezone

from accounting.outbox.engine import drain_slots
from accounting.sync.models import AccountingSync, SyncState
from accounting.sync.outbox import DOCUMENTS, drain
from accounting.sync.services import sync_request_many
from onport.locks import one_of
from tests.fixtures.threads import at_once
from tests.factories import invoice_create, order_create

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row leases (SKIP LOCKED) are tested on PostgreSQL"),
]


def _requested(books, invoices) -> None:
    """Rows for the invoices, pending. The drain queued on commit (in-process in tests) runs while every drain slot is
    held here, so it leaves them to the drains under test."""
    name, slots = drain_slots(DOCUMENTS.name, books.xero_account.pk, urgent_only=False)
    with ExitStack() as held:
        for _ in range(slots):
            assert held.enter_context(one_of(name, slots=slots, seconds=30)) is not None
        sync_request_many(account=books.xero_account.account, invoices=invoices, automatic=True)
    assert set(AccountingSync.objects.values_list("state", flat=True)) == {SyncState.PENDING}


def _drains_at_once(xero_account_id: int, count: int = 2) -> list:
    """Start `count` drains together; their reports (an exception raised in one fails the test)."""
    reports, errors = at_once(count, lambda _: drain(xero_account_id=xero_account_id))
    assert errors == [] and len(reports) == count
    return reports


def _puts(books) -> list[dict]:
    return [r for r in books.sandbox.requests(path_prefix="/api.xro/2.0/Invoices") if r["method"] == "PUT"]


def test_two_drains_at_once_never_send_the_same_rows(books, linked_vendor):
    invoices = [invoice_create(order=order_create(vendor=linked_vendor, lines=[(1, "1.00")])) for _ in range(100)]
    _requested(books, invoices)
    books.sandbox.faults(latency_ms=800)  # each batch is in Xero long enough for the other drain to claim

    reports = _drains_at_once(books.xero_account.pk)

    puts = _puts(books)
    urls = [bill["Url"] for put in puts for bill in put["json"]["Invoices"]]
    assert len(urls) == len(set(urls)) == 100  # no row was in two requests
    assert len({put["headers"]["Idempotency-Key"] for put in puts}) == len(puts) == 2
    assert sum(report.synced for report in reports) == 100
    bills = books.bills()
    assert len(bills) == 100 and len({bill["Url"] for bill in bills}) == 100
    assert set(AccountingSync.objects.values_list("state", flat=True)) == {SyncState.SYNCED}


def test_lost_answers_are_looked_up_by_one_drain_at_a_time(books, linked_vendor):
    invoices = [invoice_create(order=order_create(vendor=linked_vendor)) for _ in range(3)]
    _requested(books, invoices)
    books.sandbox.faults(script=["503_after"], methods=["PUT"], path_prefix="/api.xro/2.0/Invoices")
    assert drain(xero_account_id=books.xero_account.pk).unknown == 3  # Xero made the bills; the answer was lost
    AccountingSync.objects.update(next_attempt_at=timezone.now())  # the settle time has passed
    books.sandbox.faults(latency_ms=1500, methods=["GET"], path_prefix="/api.xro/2.0/Invoices")  # a slow lookup

    reports = _drains_at_once(books.xero_account.pk)

    lookups = [r for r in books.sandbox.requests(path_prefix="/api.xro/2.0/Invoices") if r["method"] == "GET"]
    assert len(lookups) == 1 and sorted(report.adopted for report in reports) == [0, 3]
    assert len(_puts(books)) == 1 and len(books.bills()) == 3
    assert set(AccountingSync.objects.values_list("state", flat=True)) == {SyncState.SYNCED}
