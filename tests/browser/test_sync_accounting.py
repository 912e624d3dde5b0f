"""Contacts > Payments > search invoices > invoice > sync accounting → View in Xero, in a real browser."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from accounting.sync.models import AccountingSync
from tests.factories import (
    MembershipFactory,
    VendorFactory,
    invoice_create,
    order_create,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_finance_syncs_an_invoice_and_follows_view_in_xero(page, login, live_server, settings, books, account):
    settings.PUBLIC_BASE_URL = live_server.url
    vendor = VendorFactory(account=account, name="Acme Packaging")
    books.link(vendor, "Acme Packaging Ltd")
    invoice = invoice_create(order=order_create(vendor=vendor, lines=[(4, "12.50"), (1, "7.9900")]))
    finance = MembershipFactory(account=account, role="finance").user
    login(page, finance.email)

    # Contacts > Payments > search invoices > the invoice
    page.get_by_role("link", name="Payments").click()
    page.get_by_label("Number").fill(invoice.number)
    page.get_by_role("button", name="Search invoices").click()
    page.get_by_role("link", name=invoice.number).click()

    # sync accounting → the page shows the confirmation and View in Xero
    page.get_by_role("button", name="sync accounting").click()
    view_in_xero = page.get_by_role("link", name="View in Xero")
    expect(view_in_xero).to_be_visible(timeout=15_000)
    page.screenshot(path="/tmp/onport-sync-accounting.png", full_page=True)

    # the bill in Xero: contact, number, lines, totals, Url back to Onport
    sync = AccountingSync.objects.get(invoice=invoice)
    assert view_in_xero.get_attribute("href") == sync.xero_url and sync.xero_id in sync.xero_url
    [bill] = books.bills()
    assert bill["InvoiceID"] == sync.xero_id and bill["InvoiceNumber"] == invoice.number
    assert bill["Contact"]["ContactID"] == books.link(vendor).contact_id
    assert [line["Description"] for line in bill["LineItems"]] == ["SKU-1 Product 1", "SKU-2 Product 2", "Shipping"]
    assert Decimal(str(bill["Total"])) == invoice.total
    assert bill["Url"] == f"{live_server.url}{invoice.get_absolute_url()}"


def test_finance_previews_the_bill_then_syncs_it_from_the_preview(page, login, live_server, settings, books, account):
    settings.PUBLIC_BASE_URL = live_server.url
    vendor = VendorFactory(account=account, name="Acme Packaging")
    books.link(vendor, "Acme Packaging Ltd")
    invoice = invoice_create(order=order_create(vendor=vendor, lines=[(3, "12.3333")], shipping="0.00"))
    login(page, MembershipFactory(account=account, role="finance").user.email)
    page.goto(invoice.get_absolute_url())

    # when: Preview bill
    page.get_by_role("link", name="Preview bill").click()

    # then: the lines and total Xero will compute, and nothing in Xero yet
    expect(page.get_by_role("heading", name=f"Preview bill {invoice.number}")).to_be_visible()
    lines = page.get_by_role("table", name="Bill lines")
    expect(lines.locator("tbody tr")).to_have_count(1)
    expect(lines.locator("tbody tr").first).to_contain_text("SKU-1 Product 1")
    expect(lines.locator("tbody tr").first).to_contain_text("INPUT2")
    expect(page.get_by_test_id("preview-total")).to_have_text("44.40 GBP")  # 37.00 + 7.40
    page.screenshot(path="/tmp/onport-bill-preview.png", full_page=True)
    assert books.bills() == []

    # and: sync accounting from the preview creates that bill
    page.get_by_role("button", name="sync accounting").click()
    expect(page.get_by_role("link", name="View in Xero")).to_be_visible(timeout=15_000)
    [bill] = books.bills()
    assert Decimal(str(bill["Total"])) == Decimal("44.40") and bill["LineItems"][0]["AccountCode"] == "300"


def test_finance_selects_invoices_sees_the_count_and_follows_the_bulk_sync_to_its_log(
    page, login, live_server, settings, books, account
):
    settings.PUBLIC_BASE_URL = live_server.url
    vendor = VendorFactory(account=account, name="Acme Packaging")
    books.link(vendor, "Acme Packaging Ltd")
    first, second, third = (invoice_create(order=order_create(vendor=vendor)) for _ in range(3))
    login(page, MembershipFactory(account=account, role="finance").user.email)
    page.goto("/contacts/payments/")
    counts = page.get_by_role("navigation", name="Invoices by Xero status")
    expect(counts.locator('[data-xero-status="not_synced"]')).to_contain_text("Not synced 3")

    # when: tick two invoices
    page.get_by_label(f"Select {first.number}").check()
    page.get_by_label(f"Select {third.number}").check()
    expect(page.locator('[data-selected-count="invoice"]')).to_have_text("2 selected.")
    page.get_by_role("button", name="sync accounting").click()

    # then: the progress page ends with those two, and its Sync log shows only them
    expect(page.get_by_text("2 of 2")).to_be_visible(timeout=15_000)
    page.get_by_role("link", name="Open the Sync log").click()
    expect(page.locator("table tbody tr")).to_have_count(2)
    expect(page.get_by_role("table")).not_to_contain_text(second.number)
    page.goto("/contacts/payments/")
    expect(counts.locator('[data-xero-status="synced"]')).to_contain_text("Synced 2")
