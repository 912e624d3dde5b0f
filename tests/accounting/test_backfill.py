"""Earlier invoices: an admin sends every issued invoice not yet in Xero as a backfill, behind people's syncs."""

import pytest
from django.urls import reverse

from accounting.outbox.models import Priority
from accounting.sync import backfill
from accounting.sync.models import AccountingSync, SyncState
from accounting.sync.services import sync_request
from invoicing.services import invoice_void
from tests.factories import VendorFactory, invoice_create, order_create

pytestmark = pytest.mark.django_db


def _invoice(vendor, **kwargs):
    return invoice_create(order=order_create(vendor=vendor, lines=[(1, "3.00")]), **kwargs)


def test_an_admin_sends_every_earlier_invoice_once_and_the_rest_of_the_account_s_invoices_are_left_alone(
    books, linked_vendor, admin_client_, other_account, django_capture_on_commit_callbacks
):
    earlier = [_invoice(linked_vendor) for _ in range(3)]
    sync_request(invoice=earlier[0], actor=books.admin)  # already on its way: not asked again
    draft = _invoice(linked_vendor, issue=False)
    voided = invoice_void(invoice=_invoice(linked_vendor), reason="Duplicate")
    elsewhere = _invoice(VendorFactory(account=other_account))
    page = admin_client_.get(reverse("accounting:setup_accounting")).content.decode()
    assert 'id="earlier-invoices-count">2<' in page

    with django_capture_on_commit_callbacks(execute=True):
        answer = admin_client_.post(reverse("sync:backfill"), follow=True)

    assert "2 earlier invoices are on their way to Xero" in answer.content.decode()
    rows = AccountingSync.objects.filter(invoice__in=earlier[1:])
    assert {(row.priority, row.state) for row in rows} == {(Priority.BACKFILL, SyncState.SYNCED)}
    assert AccountingSync.objects.get(invoice=earlier[0]).priority == Priority.MANUAL
    assert not AccountingSync.objects.filter(invoice__in=[draft, voided, elsewhere]).exists()
    assert sorted(bill["InvoiceNumber"] for bill in books.bills()) == sorted(i.number for i in earlier)
    page = admin_client_.get(reverse("accounting:setup_accounting")).content.decode()
    assert 'id="earlier-invoices-none"' in page


def test_a_backfill_goes_in_chunks_oldest_first(books, linked_vendor, monkeypatch):
    monkeypatch.setattr(backfill, "CHUNK", 2)
    earlier = [_invoice(linked_vendor) for _ in range(5)]

    assert backfill.backfill_run(account=linked_vendor.account) == 5

    rows = AccountingSync.objects.filter(invoice__in=earlier).order_by("id")
    assert [row.invoice_id for row in rows] == [invoice.pk for invoice in earlier]
    assert backfill.backfill_run(account=linked_vendor.account) == 0


def test_without_a_xero_account_the_backfill_says_what_to_do_first(admin_client_, vendor):
    _invoice(vendor)

    answer = admin_client_.post(reverse("sync:backfill"), follow=True)

    assert "Choose the Xero account to sync to in Setup &gt; Accounting first." in answer.content.decode()
    assert not AccountingSync.objects.exists()


@pytest.mark.parametrize("role_client", ["finance_client", "viewer_client"])
def test_only_an_admin_starts_a_backfill(books, linked_vendor, role_client, request):
    _invoice(linked_vendor)

    answer = request.getfixturevalue(role_client).post(reverse("sync:backfill"))

    assert answer.status_code == 403
    assert not AccountingSync.objects.exists()
