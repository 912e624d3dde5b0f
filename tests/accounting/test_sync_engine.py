"""The sync engine against the Xero sandbox over HTTP: bills, batches, failures, exactly once."""

import datetime
import time
from decimal import Decimal

import pytest
from django.utils import timezone

from accounting.outbox.models import Reason
from accounting.sync.outbox import DOCUMENTS, drain
from accounting.sync.inputs import CodingContext, bill_input
from accounting.sync.models import AccountingSync, SyncState
from accounting.sync.services import SyncRefused, sync_request, sync_request_many
from accounting.sync.sweep import sweep
from integrations.xero.bills import bills_create
from integrations.xero.client import XeroClient
from invoicing import services as invoicing
from tests.factories import VendorFactory, invoice_create, order_create

pytestmark = pytest.mark.django_db


def _drain(books):
    return drain(xero_account_id=books.xero_account.pk)


def _invoice_puts(books):
    return [r for r in books.sandbox.requests(path_prefix="/api.xro/2.0/Invoices") if r["method"] == "PUT"]


def test_a_synced_invoice_becomes_a_bill_with_its_lines_totals_number_and_link(books, linked_vendor, settings):
    invoice = invoice_create(order=order_create(vendor=linked_vendor, lines=[(3, "3.3333"), (2, "4.50")]))

    sync_request(invoice=invoice, actor=books.admin)
    report = _drain(books)

    sync = AccountingSync.objects.get(invoice=invoice)
    assert report.synced == 1 and sync.state == SyncState.SYNCED
    [bill] = books.bills()
    assert bill["InvoiceID"] == sync.xero_id and bill["InvoiceNumber"] == invoice.number
    assert bill["Contact"]["ContactID"] == books.link(linked_vendor).contact_id
    assert bill["Url"] == f"{settings.PUBLIC_BASE_URL}/contacts/payments/{invoice.pk}/"
    assert [(line["Description"], line["AccountCode"], line["TaxType"]) for line in bill["LineItems"]] == [
        ("SKU-1 Product 1", "300", "INPUT2"),
        ("SKU-2 Product 2", "300", "INPUT2"),
        ("Shipping", "425", "INPUT2"),
    ]
    assert Decimal(str(bill["Total"])) == invoice.total and Decimal(str(bill["TotalTax"])) == invoice.tax_total
    assert sync.xero_url.endswith(f"InvoiceID={sync.xero_id}") and books.xero_account.short_code in sync.xero_url
    assert _invoice_puts(books)[0]["query"]["unitdp"] == "4"


def test_bills_for_one_organisation_go_50_to_a_request(books, linked_vendor, django_assert_max_num_queries):
    invoices = [invoice_create(order=order_create(vendor=linked_vendor, lines=[(1, "2.00")])) for _ in range(60)]
    sync_request_many(account=linked_vendor.account, invoices=invoices, actor=books.admin)

    with django_assert_max_num_queries(50):  # a fixed number per batch (bills, history, their documents asked for)
        report = _drain(books)

    assert report.synced == 60 and report.batches == 2
    assert [len(r["json"]["Invoices"]) for r in _invoice_puts(books)] == [50, 10]
    assert all(r["query"]["summarizeErrors"].lower() == "false" for r in _invoice_puts(books))


def test_per_bill_refusals_are_recorded_while_the_rest_succeed(books, linked_vendor):
    # given one invoice dated inside the period Xero has locked
    old = invoice_create(order=order_create(vendor=linked_vendor), issue_date=datetime.date(2026, 1, 15))
    fine = invoice_create(order=order_create(vendor=linked_vendor))
    books.sandbox.set_lock_dates(books.xero_account.tenant_id, period_lock_date="2026-03-31")
    sync_request_many(account=linked_vendor.account, invoices=[old, fine])

    _drain(books)

    old_sync, fine_sync = AccountingSync.objects.get(invoice=old), AccountingSync.objects.get(invoice=fine)
    assert fine_sync.state == SyncState.SYNCED
    assert old_sync.state == SyncState.FAILED and "period lock date" in old_sync.last_error
    assert len(books.bills()) == 1
    # a refusal is not retried until something changes
    assert sweep() == [] and AccountingSync.objects.get(invoice=old).state == SyncState.FAILED


def test_missing_mapping_needs_attention_with_the_fix_in_words(books, account):
    unlinked = VendorFactory(account=account, name="Nowhere Ltd")
    invoice = invoice_create(order=order_create(vendor=unlinked))
    sync_request(invoice=invoice)

    _drain(books)

    sync = AccountingSync.objects.get(invoice=invoice)
    assert sync.state == SyncState.NEEDS_ATTENTION
    assert sync.last_error == "Vendor 'Nowhere Ltd' is not linked to a Xero contact — link it on the Tax tab."
    assert books.bills() == []
    # once linked, the sweep sends it
    books.link(unlinked, "Cobalt Freight")
    assert sweep() == [books.xero_account.pk]
    _drain(books)
    assert AccountingSync.objects.get(invoice=invoice).state == SyncState.SYNCED


def test_double_clicks_and_manual_plus_automatic_make_one_bill(books, linked_vendor):
    invoice = invoice_create(order=order_create(vendor=linked_vendor))

    first = sync_request(invoice=invoice, actor=books.admin)
    second = sync_request(invoice=invoice, actor=books.admin)
    third = sync_request(invoice=invoice, automatic=True)
    _drain(books)
    sync_request(invoice=invoice, actor=books.admin)
    report = _drain(books)

    assert first.pk == second.pk == third.pk
    assert len(books.bills()) == 1 and report.synced == 0
    assert (
        AccountingSync.objects.get(invoice=invoice).events.first().message
        == "Already up to date in Xero; nothing was sent."
    )


@pytest.mark.parametrize("fault", ["503_after", "drop_after"])
def test_a_lost_answer_after_xero_created_the_bill_is_adopted_not_duplicated(books, linked_vendor, fault):
    invoices = [invoice_create(order=order_create(vendor=linked_vendor)) for _ in range(3)]
    sync_request_many(account=linked_vendor.account, invoices=invoices)
    books.sandbox.faults(script=[fault], methods=["PUT"], path_prefix="/api.xro/2.0/Invoices")

    first = _drain(books)
    assert first.unknown == 3 and len(books.bills()) == 3
    AccountingSync.objects.update(next_attempt_at=timezone.now())  # the settle time has passed
    second = _drain(books)

    assert second.adopted == 3
    assert len(books.bills()) == 3 and len(_invoice_puts(books)) == 1
    assert set(AccountingSync.objects.values_list("state", flat=True)) == {SyncState.SYNCED}


def test_503_before_the_write_is_sent_again_after_checking(books, linked_vendor):
    invoice = invoice_create(order=order_create(vendor=linked_vendor))
    sync_request(invoice=invoice)
    books.sandbox.faults(script=["503_before"], methods=["PUT"], path_prefix="/api.xro/2.0/Invoices")

    _drain(books)
    AccountingSync.objects.update(next_attempt_at=timezone.now())
    _drain(books)

    assert len(books.bills()) == 1 and len(_invoice_puts(books)) == 2
    assert AccountingSync.objects.get(invoice=invoice).state == SyncState.SYNCED


def test_a_worker_killed_after_xero_created_the_bill_loses_nothing_and_duplicates_nothing(books, linked_vendor):
    invoice = invoice_create(order=order_create(vendor=linked_vendor))
    sync_request(invoice=invoice)
    # given a worker that claimed the row and sent the bill, then died before saving the answer
    [row] = DOCUMENTS.claim(books.xero_account)
    context = CodingContext.load(xero_account=books.xero_account, invoices=[invoice])
    bills_create(XeroClient(books.xero_account), [bill_input(invoice, context)], idempotency_key="dead-worker")
    AccountingSync.objects.filter(pk=row.pk).update(lease_until=timezone.now() - datetime.timedelta(seconds=1))

    # when the sweep and the next drain run
    sweep()
    report = _drain(books)

    assert report.adopted == 1 and len(books.bills()) == 1
    assert AccountingSync.objects.get(invoice=invoice).xero_id == books.bills()[0]["InvoiceID"]


def test_a_changed_invoice_updates_its_bill(books, linked_vendor):
    order = order_create(vendor=linked_vendor)
    invoice = invoice_create(order=order)
    sync_request(invoice=invoice)
    _drain(books)
    lines = list(order.lines.all())

    invoicing.invoice_change_lines(
        invoice=invoice, quantities={lines[0].id: 1, lines[1].id: 2}, shipping=Decimal("5.00"), reason="Short shipped"
    )
    sync_request(invoice=invoice)
    _drain(books)

    [bill] = books.bills()
    invoice.refresh_from_db()
    assert Decimal(str(bill["Total"])) == invoice.total == Decimal("28.80")
    assert AccountingSync.objects.get(invoice=invoice).events.first().message == "Bill updated in Xero."


def test_a_paid_bill_is_never_duplicated_and_the_page_says_why(books, linked_vendor):
    books.settings.bill_status = "AUTHORISED"
    books.settings.save()
    order = order_create(vendor=linked_vendor)
    invoice = invoice_create(order=order)
    sync_request(invoice=invoice)
    _drain(books)
    sync = AccountingSync.objects.get(invoice=invoice)
    books.sandbox.pay_invoice(books.xero_account.tenant_id, sync.xero_id)
    lines = list(order.lines.all())
    invoicing.invoice_change_lines(
        invoice=invoice, quantities={lines[0].id: 1, lines[1].id: 1}, shipping=Decimal("5.00"), reason="Credit"
    )

    sync_request(invoice=invoice)
    _drain(books)

    sync.refresh_from_db()
    assert sync.state == SyncState.NEEDS_ATTENTION and "paid (in part or in full) or voided" in sync.last_error
    assert sync.reason == Reason.NOT_MODIFIABLE
    assert len(books.bills()) == 1

    # the sweep leaves it alone until the invoice changes again (the reason decides, not the words)
    sweep()
    sync.refresh_from_db()
    assert sync.state == SyncState.NEEDS_ATTENTION


def test_rate_limited_rows_wait_for_retry_after(books, linked_vendor):
    invoice = invoice_create(order=order_create(vendor=linked_vendor))
    sync_request(invoice=invoice)
    books.sandbox.faults(script=["429"], methods=["PUT"], path_prefix="/api.xro/2.0/Invoices")

    report = _drain(books)

    sync = AccountingSync.objects.get(invoice=invoice)
    assert sync.state == SyncState.PENDING and sync.next_attempt_at > timezone.now()
    assert report.retry_at is not None and books.bills() == []


def test_reconnect_needed_pauses_then_resumes_without_losing_anything(books, linked_vendor, connect_xero, account):
    invoice = invoice_create(order=order_create(vendor=linked_vendor))
    books.sandbox.disconnect_tenant(books.xero_account.tenant_id)
    sync_request(invoice=invoice)

    _drain(books)
    assert AccountingSync.objects.get(invoice=invoice).state == SyncState.PAUSED

    connect_xero(account=account, user=books.admin, tenant=books.xero_account.tenant_id)
    assert sweep() == [books.xero_account.pk]
    _drain(books)
    assert AccountingSync.objects.get(invoice=invoice).state == SyncState.SYNCED and len(books.bills()) == 1


def test_issuing_syncs_automatically_when_the_flag_for_its_kind_is_on(
    books, linked_vendor, account, django_capture_on_commit_callbacks
):
    books.settings.auto_sync_dropship = True
    books.settings.save()
    replenishment = VendorFactory(account=account, kind="replenishment")
    books.link(replenishment, "Cobalt Freight")
    dropship_invoice = invoice_create(order=order_create(vendor=linked_vendor), issue=False)
    replenishment_invoice = invoice_create(order=order_create(vendor=replenishment), issue=False)

    with django_capture_on_commit_callbacks(execute=True):
        invoicing.invoice_issue(invoice=dropship_invoice)
        invoicing.invoice_issue(invoice=replenishment_invoice)

    assert AccountingSync.objects.get(invoice=dropship_invoice).state == SyncState.SYNCED
    assert not AccountingSync.objects.filter(invoice=replenishment_invoice).exists()


def test_drafts_are_refused_in_plain_words(books, linked_vendor):
    draft = invoice_create(order=order_create(vendor=linked_vendor), issue=False)

    with pytest.raises(SyncRefused, match="Only issued invoices are synced"):
        sync_request(invoice=draft)


def test_xero_being_down_backs_off_with_jitter():
    from accounting.outbox.results import retry_delay

    delays = [retry_delay(1).total_seconds() for _ in range(50)]
    assert all(30 <= delay <= 36 for delay in delays) and len(set(delays)) > 1
    assert 3600 <= retry_delay(9).total_seconds() <= 4320


def test_a_timeout_is_an_unknown_outcome_that_is_looked_up_not_resent(books, linked_vendor, settings):
    invoice = invoice_create(order=order_create(vendor=linked_vendor))
    sync_request(invoice=invoice)
    settings.XERO_TIMEOUT_SECONDS = 0.5
    books.sandbox.faults(latency_ms=3000, methods=["PUT"], path_prefix="/api.xro/2.0/Invoices")  # far past 0.5 s

    first = _drain(books)
    books.sandbox.faults(clear=True)
    deadline = time.monotonic() + 15
    while not books.bills() and time.monotonic() < deadline:  # the slow write lands in Xero after we stopped waiting
        time.sleep(0.1)
    AccountingSync.objects.update(next_attempt_at=timezone.now())
    second = _drain(books)

    assert first.unknown == 1 and second.adopted == 1
    assert len(books.bills()) == 1 and len(_invoice_puts(books)) == 1


def test_asking_to_sync_many_invoices_runs_a_fixed_number_of_queries(
    books, linked_vendor, django_assert_max_num_queries
):
    invoices = [invoice_create(order=order_create(vendor=linked_vendor, lines=[(1, "1.00")])) for _ in range(40)]
    sync_request_many(account=linked_vendor.account, invoices=invoices[:20])

    with django_assert_max_num_queries(12):  # 20 rows re-armed and 20 new ones: no query per invoice
        syncs = sync_request_many(account=linked_vendor.account, invoices=invoices)

    assert len(syncs) == 40 and AccountingSync.objects.count() == 40
    assert AccountingSync.objects.get(invoice=invoices[0]).events.count() == 2


def test_a_currency_the_sdk_cannot_send_stops_that_bill_not_the_batch(books, linked_vendor):
    unknown, fine = (invoice_create(order=order_create(vendor=linked_vendor)) for _ in range(2))
    type(unknown).objects.filter(pk=unknown.pk).update(currency="XCG")  # a currency newer than xero-python's list
    sync_request_many(account=linked_vendor.account, invoices=[unknown, fine])

    report = _drain(books)

    stopped, sent = AccountingSync.objects.get(invoice=unknown), AccountingSync.objects.get(invoice=fine)
    assert stopped.state == SyncState.NEEDS_ATTENTION and "XCG" in stopped.last_error
    assert sent.state == SyncState.SYNCED and report.synced == 1 and len(books.bills()) == 1
