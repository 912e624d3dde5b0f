"""The catalogue of Xero's refusals beyond the browser: the fixes for a paid bill and a lost connection, the
lists and lock dates read again after a refusal, "post on the first open day" refusing what it should, and the
pages' tenancy, roles and query counts."""

import datetime
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.urls import reverse

from accounting.sync.lock_dates import PostingRefused, bill_post_on_open_day
from accounting.sync.models import AccountingSync, SyncState
from accounting.sync.outbox import drain
from accounting.sync.services import sync_request
from integrations.models import XeroAccount
from integrations.xero_lists import xero_lists_get
from invoicing import services as invoicing
from tests.factories import MembershipFactory, VendorFactory, invoice_create, order_create

pytestmark = pytest.mark.django_db


def _synced(books, vendor, **order):
    invoice = invoice_create(order=order_create(vendor=vendor, **order))
    sync_request(invoice=invoice)
    drain(xero_account_id=books.xero_account.pk)
    return invoice


def _locked(books, linked_vendor, django_capture_on_commit_callbacks):
    invoice = invoice_create(order=order_create(vendor=linked_vendor))
    lock = invoice.issue_date + datetime.timedelta(days=2)
    books.sandbox.set_lock_dates(books.xero_account.tenant_id, period_lock_date=lock.isoformat())
    with django_capture_on_commit_callbacks(execute=True):
        sync_request(invoice=invoice)
    with django_capture_on_commit_callbacks(execute=True):
        drain(xero_account_id=books.xero_account.pk)
    return invoice, lock


def test_a_lock_date_refusal_reads_xeros_lock_date_for_the_invoice_page(
    books, linked_vendor, finance_client, django_capture_on_commit_callbacks
):
    invoice, lock = _locked(books, linked_vendor, django_capture_on_commit_callbacks)

    assert AccountingSync.objects.get(invoice=invoice).state == SyncState.FAILED
    assert XeroAccount.objects.get(pk=books.xero_account.pk).period_lock_date == lock
    page = finance_client.get(invoice.get_absolute_url()).content.decode()
    assert f"Xero&#x27;s books are closed up to {lock:%-d %b %Y} (its period lock date)" in page
    assert 'id="post-on-open-day"' in page


def test_post_on_the_first_open_day_needs_a_reason_and_a_lock_date_refusal(
    books, linked_vendor, finance_client, django_capture_on_commit_callbacks
):
    invoice, lock = _locked(books, linked_vendor, django_capture_on_commit_callbacks)
    actor = MembershipFactory(account=invoice.account, role="finance").user
    with pytest.raises(PostingRefused, match="Say why"):
        bill_post_on_open_day(invoice=invoice, actor=actor, reason="  ")
    with pytest.raises(PostingRefused, match="200 characters"):
        bill_post_on_open_day(invoice=invoice, actor=actor, reason="x" * 201)

    books.sandbox.set_lock_dates(books.xero_account.tenant_id, period_lock_date=None)  # the books were reopened
    response = finance_client.post(reverse("sync:post_on_open_day", args=[invoice.pk]), {"reason": "Late"}, follow=True)
    assert "Xero&#x27;s books are open for the invoice&#x27;s date now" in response.content.decode()
    assert AccountingSync.objects.get(invoice=invoice).posting_date is None

    other = _synced(books, linked_vendor)
    with pytest.raises(PostingRefused, match="Only a bill Xero refused for its lock date"):
        bill_post_on_open_day(invoice=other, actor=actor, reason="Late")


def test_the_dated_bill_keeps_its_date_when_the_invoice_is_checked_again(
    books, linked_vendor, django_capture_on_commit_callbacks
):
    from accounting.sync.changes import changes_since_sync

    invoice, lock = _locked(books, linked_vendor, django_capture_on_commit_callbacks)
    actor = MembershipFactory(account=invoice.account, role="finance").user
    with django_capture_on_commit_callbacks(execute=True):
        bill_post_on_open_day(invoice=invoice, actor=actor, reason="Arrived after the close")
    drain(xero_account_id=books.xero_account.pk)
    sync = AccountingSync.objects.get(invoice=invoice)
    assert sync.state == SyncState.SYNCED

    changes_since_sync()  # the sweep compares what Xero has with what Onport would send: the same date

    sync.refresh_from_db()
    assert sync.state == SyncState.SYNCED
    [bill] = books.bills()
    assert bill["Date"].startswith((lock + datetime.timedelta(days=1)).isoformat())
    assert bill["DueDate"] >= bill["Date"]


def test_an_account_code_refusal_reads_the_lists_again(books, linked_vendor, django_capture_on_commit_callbacks):
    cache.clear()
    assert not xero_lists_get(xero_account=books.xero_account).account_problem("300")
    books.sandbox.set_account_status(books.xero_account.tenant_id, "300", "ARCHIVED")
    invoice = invoice_create(order=order_create(vendor=linked_vendor))
    sync_request(invoice=invoice)
    with django_capture_on_commit_callbacks(execute=True):
        drain(xero_account_id=books.xero_account.pk)

    assert AccountingSync.objects.get(invoice=invoice).state == SyncState.FAILED
    assert xero_lists_get(xero_account=books.xero_account).account_problem("300")  # from the cache, read again


def test_a_paid_bill_links_to_itself_in_xero(books, linked_vendor, finance_client):
    books.settings.bill_status = "AUTHORISED"
    books.settings.save()
    invoice = _synced(books, linked_vendor)
    sync = AccountingSync.objects.get(invoice=invoice)
    books.sandbox.pay_invoice(books.xero_account.tenant_id, sync.xero_id)
    lines = list(invoice.order.lines.all())
    invoicing.invoice_change_lines(
        invoice=invoice, quantities={lines[0].id: 1, lines[1].id: 1}, shipping=Decimal("5.00"), reason="Credit"
    )
    sync_request(invoice=invoice)
    drain(xero_account_id=books.xero_account.pk)

    page = finance_client.get(invoice.get_absolute_url()).content.decode()
    assert "The bill in Xero is paid (in part or in full) or voided, so Xero lets no one change it." in page
    assert (
        f'href="{sync.xero_url.replace("&", "&amp;")}" target="_blank" rel="noopener">View the bill in Xero</a>' in page
    )


def test_a_lost_connection_sends_admins_to_the_xero_account_and_finance_to_an_admin(
    books, linked_vendor, admin_client_, finance_client
):
    invoice = invoice_create(order=order_create(vendor=linked_vendor))
    sync_request(invoice=invoice)
    books.sandbox.expire_access_tokens()
    books.sandbox.disconnect_tenant(books.xero_account.tenant_id)
    drain(xero_account_id=books.xero_account.pk)
    assert AccountingSync.objects.get(invoice=invoice).state == SyncState.PAUSED

    admin_page = admin_client_.get(invoice.get_absolute_url()).content.decode()
    finance_page = finance_client.get(invoice.get_absolute_url()).content.decode()
    assert f'href="{books.xero_account.get_absolute_url()}">Open {books.xero_account.name}</a>' in admin_page
    assert "Ask an admin to connect Xero again under Integrations › Xero." in finance_page


def test_post_on_open_day_is_finance_only_and_answers_404_for_another_accounts_invoice(
    finance_client, viewer_client, other_account, account
):
    foreign = invoice_create(order=order_create(vendor=VendorFactory(account=other_account)))
    own = invoice_create(order=order_create(vendor=VendorFactory(account=account)))

    assert finance_client.post(reverse("sync:post_on_open_day", args=[foreign.pk]), {"reason": "x"}).status_code == 404
    assert viewer_client.post(reverse("sync:post_on_open_day", args=[own.pk]), {"reason": "x"}).status_code == 403


def test_the_sync_log_explains_many_refusals_in_a_constant_number_of_queries(
    books, account, finance_client, django_assert_max_num_queries
):
    vendor = VendorFactory(account=account)
    books.link(vendor)
    books.sandbox.set_account_status(books.xero_account.tenant_id, "300", "ARCHIVED")
    for _ in range(30):
        sync_request(invoice=invoice_create(order=order_create(vendor=vendor, lines=[(1, "1.00")])))
    drain(xero_account_id=books.xero_account.pk)
    assert AccountingSync.objects.filter(state=SyncState.FAILED).count() == 30

    with django_assert_max_num_queries(14):
        page = finance_client.get(reverse("sync:log")).content.decode()
    assert page.count("Xero no longer accepts account 300") == 30
