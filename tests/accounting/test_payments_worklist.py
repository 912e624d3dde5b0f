"""Payments as a worklist: invoices by Xero status, bulk sync of what is selected or of all that match, its progress,
and a Sync log that follows rows on their way."""

from urllib.parse import urlencode

import pytest
from django.urls import reverse

from accounting.sync.models import AccountingSync, SyncState
from accounting.sync.outbox import drain
from invoicing import services as invoicing
from invoicing.views import invoices as invoices_view
from tests.factories import VendorFactory, invoice_create, order_create
from tests.invoicing.test_payments_paging import bill_rows, invoices_bulk

pytestmark = pytest.mark.django_db


def _counts(client, **params) -> dict[str, int]:
    response = client.get(reverse("invoicing:invoice_xero_counts"), params)
    assert response.status_code == 200
    return {value: count for value, _, count in response.context["xero_counts"]}


def test_the_counts_by_xero_status_add_up_to_the_accounts_invoices(
    account, other_account, viewer_client, django_assert_max_num_queries
):
    made = invoices_bulk(account, 12)
    bill_rows(
        account,
        {
            made[0]: SyncState.SYNCED,
            made[1]: SyncState.SYNCED,
            made[2]: SyncState.PENDING,
            made[3]: SyncState.UNKNOWN,
            made[4]: SyncState.FAILED,
            made[5]: SyncState.PAUSED,
            made[6]: SyncState.CHANGED,
            made[7]: SyncState.CANCELLED,
        },
    )
    theirs = invoices_bulk(other_account, 5)
    bill_rows(other_account, {invoice: SyncState.FAILED for invoice in theirs})

    with django_assert_max_num_queries(8):
        counts = _counts(viewer_client)

    assert counts == {"not_synced": 5, "on_its_way": 2, "synced": 2, "changed": 1, "needs_attention": 1, "failed": 1}
    page = viewer_client.get(reverse("invoicing:invoice_xero_counts"), {"xero_status": "failed"}).content.decode()
    assert f'href="{reverse("invoicing:invoice_list")}?xero_status=failed" aria-current="true"' in page
    list_page = viewer_client.get(reverse("invoicing:invoice_list")).content.decode()
    assert (
        f'hx-get="{reverse("invoicing:invoice_xero_counts")}' in list_page
    )  # fetched after the list, which never counts


def test_only_issued_invoices_are_offered_for_bulk_sync(account, finance_client):
    vendor = VendorFactory(account=account)
    issued, paid, void = (invoice_create(order=order_create(vendor=vendor)) for _ in range(3))
    invoicing.invoice_mark_paid(invoice=paid)
    invoicing.invoice_void(invoice=void, reason="Sent twice")
    draft = invoice_create(order=order_create(vendor=vendor), issue=False)

    page = finance_client.get(reverse("invoicing:invoice_list")).content.decode()

    assert f'name="invoice" value="{issued.pk}"' in page
    for invoice in (paid, void, draft):
        assert f'name="invoice" value="{invoice.pk}"' not in page
    assert 'data-selected-count="invoice"' in page and 'name="matching"' not in page  # one page: nothing more to match


def test_select_all_that_match_syncs_every_page_of_the_search_but_what_xero_has(
    books, account, other_account, finance_client, monkeypatch
):
    monkeypatch.setattr(invoices_view, "INVOICES_PER_PAGE", 7)
    vendor = VendorFactory(account=account, name="Acme Packaging")
    books.link(vendor)
    made = [invoice_create(order=order_create(vendor=vendor, lines=((1, "3.00"),))) for _ in range(12)]
    other_vendor = VendorFactory(account=account, name="Elsewhere")
    books.link(other_vendor, "Cobalt Freight")
    elsewhere = invoice_create(order=order_create(vendor=other_vendor))
    theirs = invoice_create(order=order_create(vendor=VendorFactory(account=other_account)))
    # given: two of the vendor's invoices already in Xero
    finance_client.post(reverse("sync:invoices_sync"), {"invoice": [made[0].pk, made[1].pk]})
    drain(xero_account_id=books.xero_account.pk)
    search = {"vendor": vendor.pk}
    page = finance_client.get(reverse("invoicing:invoice_list"), search).content.decode()
    assert f'name="matching" value="{urlencode(search)}"' in page

    # when: select all that match, sync accounting
    response = finance_client.post(reverse("sync:invoices_sync"), {"matching": urlencode(search)})

    # then: the vendor's other ten are on their way, nothing else
    assert response.status_code == 302 and "/contacts/payments/sync/progress/?ids=" in response["Location"]
    pending = set(AccountingSync.objects.filter(state=SyncState.PENDING).values_list("invoice_id", flat=True))
    assert pending == {invoice.pk for invoice in made[2:]}
    assert not AccountingSync.objects.filter(invoice__in=[elsewhere, theirs]).exists()
    drain(xero_account_id=books.xero_account.pk)
    assert len(books.bills()) == 12
    progress = finance_client.get(response["Location"]).content.decode()
    assert "<strong>10 of 10</strong>" in progress
    ids = response["Location"].split("ids=")[1]
    assert f'href="{reverse("sync:log")}?invoices={ids}"' in progress

    # and: a second press finds nothing left to send
    again = finance_client.post(reverse("sync:invoices_sync"), {"matching": urlencode(search)}, follow=True)
    assert "No issued invoice of that search is waiting to be synced." in again.content.decode()


def test_a_search_that_cannot_be_used_is_refused_in_words(finance_client, account):
    response = finance_client.post(reverse("sync:invoices_sync"), {"matching": "amount_min=ten"}, follow=True)
    assert "That search can&#x27;t be used any more" in response.content.decode()


def test_progress_of_ids_that_are_not_the_accounts_bills_stops_at_once(books, account, other_account, finance_client):
    theirs = invoice_create(order=order_create(vendor=VendorFactory(account=other_account)))

    response = finance_client.get(reverse("sync:progress"), {"ids": f"{theirs.pk},999999"})

    html = response.content.decode()
    assert "None of these invoices has a bill on its way to Xero." in html and "hx-trigger" not in html


def test_the_sync_log_of_one_bulk_sync_and_its_refresh_while_rows_are_on_their_way(account, finance_client):
    made = invoices_bulk(account, 4)
    bill_rows(
        account,
        {made[0]: SyncState.PENDING, made[1]: SyncState.SYNCED, made[2]: SyncState.FAILED, made[3]: SyncState.SYNCED},
    )

    log = finance_client.get(reverse("sync:log"), {"invoices": f"{made[0].pk},{made[1].pk}"})

    assert {row.invoice_id for row in log.context["page"]} == {made[0].pk, made[1].pk}
    html = log.content.decode()
    assert 'hx-trigger="every 2s"' in html and "1 on its way to Xero: this list refreshes by itself." in html
    AccountingSync.objects.filter(invoice=made[0]).update(state=SyncState.SYNCED)
    assert 'hx-trigger="every 2s"' not in finance_client.get(reverse("sync:log")).content.decode()
