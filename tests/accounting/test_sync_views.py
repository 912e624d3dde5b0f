"""sync accounting in the pages: the invoice button and panel, bulk sync with progress, the Sync log."""

import pytest
from django.urls import reverse

from accounting.sync.outbox import drain
from accounting.sync.models import AccountingSync, SyncState
from tests.factories import VendorFactory, invoice_create, order_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def issued(books, account):
    vendor = VendorFactory(account=account, name="Acme Packaging")
    books.link(vendor)
    return invoice_create(order=order_create(vendor=vendor))


def test_finance_syncs_an_invoice_and_sees_view_in_xero(books, issued, finance_client):
    page = finance_client.get(issued.get_absolute_url()).content.decode()
    assert "sync accounting</button>" in page and "Not synced to Xero yet." in page

    finance_client.post(reverse("sync:invoice_sync", args=[issued.pk]))
    waiting = finance_client.get(reverse("sync:invoice_panel", args=[issued.pk])).content.decode()
    drain(xero_account_id=books.xero_account.pk)
    done = finance_client.get(reverse("sync:invoice_panel", args=[issued.pk])).content.decode()

    assert "Sending to Xero" in waiting and 'hx-trigger="every 1s"' in waiting
    sync = AccountingSync.objects.get(invoice=issued)
    assert "View in Xero" in done and sync.xero_url.replace("&", "&amp;") in done and "hx-trigger" not in done


def test_errors_reach_the_finance_user_in_plain_words(books, account, finance_client):
    unlinked = invoice_create(order=order_create(vendor=VendorFactory(account=account, name="Nowhere Ltd")))

    finance_client.post(reverse("sync:invoice_sync", args=[unlinked.pk]))
    drain(xero_account_id=books.xero_account.pk)

    page = finance_client.get(unlinked.get_absolute_url()).content.decode()
    assert "Vendor &#x27;Nowhere Ltd&#x27; is not linked to a Xero contact — link it on the Tax tab." in page


def test_viewers_see_no_button_and_cannot_sync(issued, viewer_client):
    assert "sync accounting</button>" not in viewer_client.get(issued.get_absolute_url()).content.decode()
    assert viewer_client.post(reverse("sync:invoice_sync", args=[issued.pk])).status_code == 403
    assert viewer_client.post(reverse("sync:invoices_sync"), {"invoice": [issued.pk]}).status_code == 403
    assert viewer_client.post(reverse("sync:retry_failed")).status_code == 403


@pytest.mark.parametrize("name", ["invoice_sync", "invoice_panel"])
def test_another_accounts_invoice_answers_404(finance_client, other_account, name):
    foreign = invoice_create(order=order_create(vendor=VendorFactory(account=other_account)))
    url = reverse(f"sync:{name}", args=[foreign.pk])

    response = finance_client.post(url) if name == "invoice_sync" else finance_client.get(url)

    assert response.status_code == 404


def test_bulk_sync_ignores_other_accounts_invoices_and_shows_progress(
    books, issued, account, other_account, finance_client
):
    second = invoice_create(order=order_create(vendor=issued.vendor))
    foreign = invoice_create(order=order_create(vendor=VendorFactory(account=other_account)))

    response = finance_client.post(reverse("sync:invoices_sync"), {"invoice": [issued.pk, second.pk, foreign.pk]})

    assert response.status_code == 302 and "/contacts/payments/sync/progress/" in response["Location"]
    assert not AccountingSync.objects.filter(invoice=foreign).exists()
    before = finance_client.get(response["Location"]).content.decode()
    drain(xero_account_id=books.xero_account.pk)
    after = finance_client.get(response["Location"]).content.decode()
    assert "<strong>0 of 2</strong>" in before and "<strong>2 of 2</strong>" in after and "2 synced" in after


def test_search_results_offer_bulk_sync_to_finance_only(issued, finance_client, viewer_client):
    url = reverse("invoicing:invoice_list")
    assert f'name="invoice" value="{issued.pk}"' in finance_client.get(url).content.decode()
    assert 'name="invoice"' not in viewer_client.get(url).content.decode()


def test_sync_log_filters_and_retry_failed(books, issued, account, finance_client, django_assert_max_num_queries):
    unlinked = invoice_create(order=order_create(vendor=VendorFactory(account=account, name="Nowhere Ltd")))
    finance_client.post(reverse("sync:invoices_sync"), {"invoice": [issued.pk, unlinked.pk]})
    drain(xero_account_id=books.xero_account.pk)

    with django_assert_max_num_queries(12):
        attention = finance_client.get(reverse("sync:log"), {"state": SyncState.NEEDS_ATTENTION}).content.decode()
    assert unlinked.number in attention and issued.number not in attention

    finance_client.post(reverse("sync:retry_failed"))
    assert AccountingSync.objects.get(invoice=unlinked).state == SyncState.PENDING


def test_sync_log_runs_a_constant_number_of_queries(books, account, finance_client, django_assert_max_num_queries):
    vendor = VendorFactory(account=account)
    books.link(vendor)
    invoices = [invoice_create(order=order_create(vendor=vendor, lines=[(1, "1.00")])) for _ in range(30)]
    finance_client.post(reverse("sync:invoices_sync"), {"invoice": [invoice.pk for invoice in invoices]})

    with django_assert_max_num_queries(12):
        finance_client.get(reverse("sync:log"))
