"""The catalogue of Xero's refusals in a real browser: each refusal, provoked through the sandbox as a Xero user
would cause it, shows on the invoice page in finance words, with a link (the right one for the reader's role)
that opens the page where it is fixed — and the Sync log links the same way."""

import datetime
from dataclasses import dataclass
from typing import Callable

import pytest
from playwright.sync_api import expect

from accounting.setup.models import TaxRateMapping
from accounting.sync.models import AccountingSync
from tests.factories import MembershipFactory, VendorFactory, invoice_create, order_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@dataclass(frozen=True)
class Case:
    role: str
    provoke: Callable  # (books, link, invoice) -> None, before sync accounting
    says: str
    link: str
    lands: str  # a selector the fix's page shows
    path: str  # what the fix's URL contains


def _archive_default_account(books, link, invoice):
    books.sandbox.set_account_status(books.xero_account.tenant_id, "300", "ARCHIVED")


def _archive_vendor_account(books, link, invoice):
    link.account_code_override = "310"
    link.save()
    books.sandbox.set_account_status(books.xero_account.tenant_id, "310", "ARCHIVED")


def _archive_tax_rate(books, link, invoice):
    books.sandbox.set_tax_rate_status(books.xero_account.tenant_id, "INPUT2", "ARCHIVED")


def _sales_tax_rate(books, link, invoice):
    TaxRateMapping.objects.filter(xero_account=books.xero_account, tax_type="INPUT2").update(tax_type="OUTPUT2")


def _archive_contact(books, link, invoice):
    books.sandbox.set_contact_status(books.xero_account.tenant_id, link.contact_id, "ARCHIVED")


def _currency_not_enabled(books, link, invoice):
    type(invoice).objects.filter(pk=invoice.pk).update(currency="JPY")


def _unlink(books, link, invoice):
    link.delete()


CASES = {
    "archived default account, admin": Case(
        "admin",
        _archive_default_account,
        "Xero no longer accepts account 300",
        "Open Setup › Accounting",
        "h1:has-text('Accounting')",
        "/setup/accounting/",
    ),
    "archived default account, finance": Case(
        "finance",
        _archive_default_account,
        "Xero no longer accepts account 300",
        "Open Acme Packaging's Tax tab",
        "#xero-contact",
        "/settings/tax/",
    ),
    "archived vendor account": Case(
        "finance",
        _archive_vendor_account,
        "Xero no longer accepts account 310",
        "Open Acme Packaging's Tax tab",
        "#xero-contact",
        "/settings/tax/",
    ),
    "archived tax rate, admin": Case(
        "admin",
        _archive_tax_rate,
        "Xero no longer has an active tax rate INPUT2",
        "Open Setup › Accounting",
        "h1:has-text('Accounting')",
        "/setup/accounting/",
    ),
    "tax rate not for purchases": Case(
        "finance",
        _sales_tax_rate,
        "Xero will not use tax rate OUTPUT2 with account 300",
        "Open Acme Packaging's Tax tab",
        "#xero-contact",
        "/settings/tax/",
    ),
    "archived contact": Case(
        "finance",
        _archive_contact,
        "Acme Packaging Ltd, is archived",
        "Open Acme Packaging's Tax tab",
        "#xero-contact",
        "/settings/tax/",
    ),
    "currency not enabled": Case(
        "finance",
        _currency_not_enabled,
        "has not enabled JPY in Xero",
        "Open the invoice",
        "#sync-accounting",
        "/contacts/payments/",
    ),
    "vendor not linked": Case(
        "finance",
        _unlink,
        "is not linked to a contact in Xero",
        "Open Acme Packaging's Tax tab",
        "#xero-contact",
        "/settings/tax/",
    ),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_each_refusal_says_what_happened_and_links_to_its_fix(case, page, login, live_server, settings, books, account):
    settings.PUBLIC_BASE_URL = live_server.url
    vendor = VendorFactory(account=account, name="Acme Packaging")
    link = books.link(vendor, "Acme Packaging Ltd")
    invoice = invoice_create(order=order_create(vendor=vendor, lines=[(2, "12.50")]))
    case.provoke(books, link, invoice)
    login(page, MembershipFactory(account=account, role=case.role).user.email)
    page.goto(invoice.get_absolute_url())
    page.get_by_role("button", name="sync accounting").click()

    problem = page.locator("#sync-problem")
    expect(problem).to_contain_text(case.says, timeout=15_000)
    assert books.bills() == []
    page.screenshot(path=f"/tmp/onport-fix-{case.link.split()[-1]}.png", full_page=True)

    # the Sync log links the problem to the same fix
    page.goto("/accounting/sync-log/")
    expect(page.locator("#sync-log-rows")).to_contain_text(case.says)
    expect(page.locator("#sync-log-rows .fix-link")).to_have_text(case.link)

    page.goto(invoice.get_absolute_url())
    page.locator("#sync-problem .fix-link").click()
    page.wait_for_url(lambda url: case.path in url)
    expect(page.locator(case.lands).first).to_be_visible()


def test_an_archived_account_refreshes_the_list_setup_offers(page, login, live_server, settings, books, account):
    """The refusal means Onport's copy of Xero's accounts is stale: it is read again, so Setup flags 300 at once."""
    settings.PUBLIC_BASE_URL = live_server.url
    vendor = VendorFactory(account=account, name="Acme Packaging")
    books.link(vendor, "Acme Packaging Ltd")
    invoice = invoice_create(order=order_create(vendor=vendor, lines=[(2, "12.50")]))
    login(page, books.admin.email)
    page.goto("/setup/accounting/")  # the lists are read (and cached) while 300 is still active
    expect(page.locator("h1", has_text="Accounting")).to_be_visible()
    books.sandbox.set_account_status(books.xero_account.tenant_id, "300", "ARCHIVED")
    page.goto(invoice.get_absolute_url())
    page.get_by_role("button", name="sync accounting").click()
    expect(page.locator("#sync-problem")).to_contain_text("Xero no longer accepts account 300", timeout=15_000)
    page.locator("#sync-problem .fix-link").click()
    expect(page.locator("option", has_text="300 – can't be used on bills any more").first).to_be_attached()


def test_finance_posts_a_bill_refused_for_the_lock_date_on_the_first_open_day(
    page, login, live_server, settings, books, account
):
    settings.PUBLIC_BASE_URL = live_server.url
    vendor = VendorFactory(account=account, name="Acme Packaging")
    books.link(vendor, "Acme Packaging Ltd")
    invoice = invoice_create(order=order_create(vendor=vendor, lines=[(2, "12.50")]))
    lock = invoice.issue_date + datetime.timedelta(days=3)
    books.sandbox.set_lock_dates(books.xero_account.tenant_id, period_lock_date=lock.isoformat())
    finance = MembershipFactory(account=account, role="finance").user
    login(page, finance.email)
    page.goto(invoice.get_absolute_url())
    page.get_by_role("button", name="sync accounting").click()

    problem = page.locator("#sync-problem")
    expect(problem).to_contain_text(f"Xero's books are closed up to {lock:%-d %b %Y}", timeout=15_000)
    expect(problem).to_contain_text(f"first open day ({lock + datetime.timedelta(days=1):%-d %b %Y})")
    assert books.bills() == []
    page.get_by_label("Why (kept in the sync history)").fill("Vendor's invoice arrived after the March close")
    page.get_by_role("button", name="Post on the first open day").click()

    expect(page.get_by_role("link", name="View in Xero")).to_be_visible(timeout=15_000)
    [bill] = books.bills()
    first_open = lock + datetime.timedelta(days=1)
    assert bill["Date"].startswith(first_open.isoformat())
    assert bill["InvoiceNumber"] == invoice.number
    history = page.locator("#sync-panel details")
    expect(history).to_contain_text(f"by {finance.email} with the bill dated {first_open:%-d %b %Y}")
    expect(history).to_contain_text("because: Vendor's invoice arrived after the March close")
    invoice.refresh_from_db()
    assert invoice.issue_date < lock  # the invoice keeps its own date
    assert AccountingSync.objects.get(invoice=invoice).posting_date == first_open


def test_a_viewer_is_told_who_can_fix_it(page, login, live_server, settings, books, account):
    settings.PUBLIC_BASE_URL = live_server.url
    vendor = VendorFactory(account=account, name="Acme Packaging")
    link = books.link(vendor, "Acme Packaging Ltd")
    invoice = invoice_create(order=order_create(vendor=vendor, lines=[(2, "12.50")]))
    _archive_contact(books, link, invoice)
    finance = MembershipFactory(account=account, role="finance").user
    login(page, finance.email)
    page.goto(invoice.get_absolute_url())
    page.get_by_role("button", name="sync accounting").click()
    expect(page.locator("#sync-problem")).to_contain_text("is archived", timeout=15_000)
    page.context.clear_cookies()
    login(page, MembershipFactory(account=account, role="viewer").user.email)
    page.goto(invoice.get_absolute_url())
    expect(page.locator("#sync-problem")).to_contain_text("Ask someone with finance access to do this")
