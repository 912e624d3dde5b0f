"""Setup > Accounting › Product categories and › Currencies in a real browser: an admin codes a category to its own
account and chooses Onport's exchange rate; the bills in the sandbox then carry both."""

import datetime
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from accounting.sync.outbox import drain
from accounting.sync.services import sync_request
from tests.factories import VendorFactory, invoice_create, order_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_admin_codes_a_product_category_and_the_bill_line_gets_its_account(page, login, live_server, books, account):
    vendor = VendorFactory(account=account, name="Acme Packaging")
    books.link(vendor, "Acme Packaging Ltd")
    invoice = invoice_create(order=order_create(vendor=vendor))  # lines SKU-1 and SKU-2
    login(page, books.admin.email)

    page.goto(f"{live_server.url}/setup/accounting/")
    page.get_by_role("link", name="Product categories").click()
    page.get_by_label("Name", exact=True).fill("Apparel")
    page.get_by_role("button", name="Add category").click()
    page.get_by_label("SKU-1", exact=True).check()
    page.get_by_label("Put them in").select_option(label="Apparel")
    page.get_by_role("button", name="Save SKUs").click()
    page.locator("#category-codes").get_by_label("Apparel").select_option(value="310")
    page.get_by_role("button", name="Save account codes").click()
    expect(page.get_by_role("table", name="Product categories")).to_contain_text("310")
    page.screenshot(path="/tmp/onport-setup-categories.png", full_page=True)

    sync_request(invoice=invoice)
    drain(xero_account_id=books.xero_account.pk)

    [bill] = books.bills()
    assert [(line["Description"].split()[0], line["AccountCode"]) for line in bill["LineItems"]] == [
        ("SKU-1", "310"),
        ("SKU-2", "300"),
        ("Shipping", "425"),
    ]


def test_an_admin_chooses_onports_rate_and_a_euro_bill_goes_with_it(page, login, live_server, books, account):
    vendor = VendorFactory(account=account, name="Paris Papeterie", currency="EUR")
    books.link(vendor, "Acme Packaging Ltd")
    invoice = invoice_create(order=order_create(vendor=vendor), issue_date=datetime.date(2026, 12, 1))
    login(page, books.admin.email)

    page.goto(f"{live_server.url}/setup/accounting/")
    page.get_by_role("link", name="Currencies").click()
    expect(page.locator("#base-currency")).to_have_text("GBP")
    expect(page.locator("#enabled-currencies-list")).to_contain_text("EUR")
    page.get_by_label("Onport's rate at the invoice date").check()
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_label("Currency", exact=True).fill("EUR")
    page.get_by_label("From", exact=True).fill("2026-11-30")
    page.get_by_label("Rate", exact=True).fill("1.165432")
    page.get_by_role("button", name="Add rate").click()
    expect(page.get_by_role("table", name="Onport's exchange rates")).to_contain_text("1 GBP = 1.165432 EUR")
    page.screenshot(path="/tmp/onport-setup-currencies.png", full_page=True)

    sync_request(invoice=invoice)
    drain(xero_account_id=books.xero_account.pk)

    [bill] = books.bills()
    assert bill["CurrencyCode"] == "EUR" and Decimal(str(bill["CurrencyRate"])) == Decimal("1.165432")
    assert Decimal(str(bill["Total"])) == invoice.total
