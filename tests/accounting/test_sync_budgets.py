"""Who goes first at Xero's limits: a person's sync ahead of automatic ones and backfills, and a backfill
that stops short of the day limit and resumes by itself."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounting.outbox.models import Priority, Reason
from accounting.sync.models import AccountingSync, SyncEvent, SyncState
from accounting.sync.outbox import drain
from accounting.sync.services import sync_request, sync_request_many
from accounting.sync.sweep import sweep
from tests.factories import invoice_create, order_create

pytestmark = pytest.mark.django_db


def _invoices(vendor, count):
    return [invoice_create(order=order_create(vendor=vendor, lines=[(1, "2.00")])) for _ in range(count)]


def _puts(books):
    return [r for r in books.sandbox.requests(path_prefix="/api.xro/2.0/Invoices") if r["method"] == "PUT"]


def test_a_person_s_sync_goes_in_the_first_batch_ahead_of_a_backfill(books, linked_vendor):
    backlog = _invoices(linked_vendor, 60)
    sync_request_many(account=linked_vendor.account, invoices=backlog, backfill=True)
    [urgent] = _invoices(linked_vendor, 1)
    sync_request(invoice=urgent, actor=books.admin)

    report = drain(xero_account_id=books.xero_account.pk)

    first, second = _puts(books)
    assert report.synced == 61
    assert first["json"]["Invoices"][0]["InvoiceNumber"] == urgent.number
    assert [bill["InvoiceNumber"] for bill in first["json"]["Invoices"][1:]] == [i.number for i in backlog[:49]]
    assert AccountingSync.objects.get(invoice=urgent).priority == Priority.MANUAL


def test_a_manual_request_lifts_a_waiting_backfill_row_and_an_automatic_one_does_not_lower_it(books, linked_vendor):
    [invoice] = _invoices(linked_vendor, 1)
    sync_request_many(account=linked_vendor.account, invoices=[invoice], backfill=True)
    sync_request(invoice=invoice, actor=books.admin)
    sync_request(invoice=invoice, automatic=True)

    assert AccountingSync.objects.get(invoice=invoice).priority == Priority.MANUAL


def test_a_person_s_request_for_a_row_already_in_a_batch_makes_it_theirs_if_the_batch_comes_back(books, linked_vendor):
    [invoice] = _invoices(linked_vendor, 1)
    sync_request_many(account=linked_vendor.account, invoices=[invoice], backfill=True)
    AccountingSync.objects.filter(invoice=invoice).update(state=SyncState.SENDING)  # a drain holds it

    sync_request(invoice=invoice, actor=books.admin)

    row = AccountingSync.objects.get(invoice=invoice)
    assert (row.state, row.priority) == (SyncState.SENDING, Priority.MANUAL)


def test_a_backfill_stops_short_of_the_day_limit_people_still_sync_and_the_rest_resumes_by_itself(
    books, linked_vendor, settings
):
    settings.XERO_CALLS_PER_DAY, settings.XERO_DAY_RESERVE = 5, 5  # nothing of today is left for a backfill
    backlog = _invoices(linked_vendor, 3)
    sync_request_many(account=linked_vendor.account, invoices=backlog, backfill=True)

    drain(xero_account_id=books.xero_account.pk)

    waiting = list(AccountingSync.objects.filter(invoice__in=backlog))
    assert _puts(books) == []
    assert {(row.state, row.reason) for row in waiting} == {(SyncState.PENDING, Reason.DAY_BUDGET)}
    assert all(row.next_attempt_at > timezone.now() + datetime.timedelta(hours=20) for row in waiting)
    told = SyncEvent.objects.filter(sync=waiting[0]).first().message  # the newest first
    assert "daily limit" in told and "press sync accounting" in told

    sync_request(invoice=backlog[0], actor=books.admin)  # a person asks: it goes today
    drain(xero_account_id=books.xero_account.pk)
    assert AccountingSync.objects.get(invoice=backlog[0]).state == SyncState.SYNCED
    assert AccountingSync.objects.filter(invoice__in=backlog[1:], state=SyncState.PENDING).count() == 2

    # tomorrow: the day's calls have left the window and the rows are due again
    settings.XERO_DAY_RESERVE = 0
    AccountingSync.objects.filter(invoice__in=backlog[1:]).update(next_attempt_at=timezone.now())
    assert books.xero_account.pk in sweep()
    drain(xero_account_id=books.xero_account.pk)
    assert set(AccountingSync.objects.filter(invoice__in=backlog).values_list("state", flat=True)) == {SyncState.SYNCED}
    assert len(books.bills()) == 3


def test_the_xero_account_page_shows_the_day_s_calls(books, linked_vendor, client):
    sync_request_many(account=linked_vendor.account, invoices=_invoices(linked_vendor, 2), actor=books.admin)
    drain(xero_account_id=books.xero_account.pk)
    client.force_login(books.admin)

    page = client.get(reverse("integrations:xero_account_detail", args=[books.xero_account.pk])).content.decode()

    assert "Xero&#x27;s daily limit" in page or "Xero's daily limit" in page
    assert 'id="xero-calls-used">' in page and "of 5,000 calls used in the last 24 hours" in page


def test_the_sweep_sends_people_s_rows_on_the_urgent_queue_and_still_drains_the_rest(books, linked_vendor):
    from accounting.sync.tasks import accounting_sweep

    backlog = _invoices(linked_vendor, 2)
    sync_request_many(account=linked_vendor.account, invoices=backlog, backfill=True)
    AccountingSync.objects.filter(invoice=backlog[0]).update(priority=Priority.MANUAL)  # a person asked for it

    accounting_sweep()  # tasks run in this process: the urgent drain, then the drain for everything

    assert set(AccountingSync.objects.filter(invoice__in=backlog).values_list("state", flat=True)) == {SyncState.SYNCED}
    first, second = _puts(books)
    assert [bill["InvoiceNumber"] for bill in first["json"]["Invoices"]] == [backlog[0].number]  # alone, first
    assert [bill["InvoiceNumber"] for bill in second["json"]["Invoices"]] == [backlog[1].number]


def test_a_person_s_sync_goes_out_while_the_organisation_s_backlog_holds_every_drain_slot(
    books, linked_vendor, settings
):
    from contextlib import ExitStack

    from onport.locks import one_of

    backlog = _invoices(linked_vendor, 2)
    sync_request_many(account=linked_vendor.account, invoices=backlog, backfill=True)
    [urgent] = _invoices(linked_vendor, 1)
    sync_request_many(account=linked_vendor.account, invoices=[urgent], actor=books.admin)
    name, slots = f"xero-drain:bills:{books.xero_account.pk}", settings.XERO_CONCURRENT_CALLS + 1
    with ExitStack() as backlog_drains:  # the backlog's drains hold every slot (waiting on Xero's limits)
        held = [backlog_drains.enter_context(one_of(name, slots=slots, seconds=60)) for _ in range(slots)]
        assert None not in held

        report = drain(xero_account_id=books.xero_account.pk, urgent_only=True)

    assert report.synced == 1
    assert [bill["InvoiceNumber"] for bill in _puts(books)[0]["json"]["Invoices"]] == [urgent.number]
    assert AccountingSync.objects.filter(invoice__in=backlog, state=SyncState.PENDING).count() == 2
