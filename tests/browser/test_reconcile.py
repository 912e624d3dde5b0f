"""Reconcile with Xero in a real browser: bills paid, voided and changed in Xero are listed, each explained,
and the CSV says what the page says."""

import csv
import io
from decimal import Decimal

import pytest
from playwright.sync_api import expect
from xero_python.accounting import Invoice, Invoices, LineItem

from accounting.reconcile.services import nightly_start_all
from accounting.sync.models import AccountingSync
from accounting.sync.outbox import drain
from accounting.sync.services import sync_request_many
from tests.factories import MembershipFactory, VendorFactory, invoice_create, order_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_finance_compares_a_month_with_xero_and_downloads_what_differs(
    page, login, live_server, settings, books, account, mailoutbox
):
    settings.PUBLIC_BASE_URL = live_server.url
    books.settings.bill_status = "AUTHORISED"
    books.settings.save()
    vendor = VendorFactory(account=account, name="Acme Packaging")
    books.link(vendor, "Acme Packaging Ltd")
    paid, voided, changed, agreed = [
        invoice_create(order=order_create(vendor=vendor, lines=[(1, "10.00")])) for _ in range(4)
    ]
    sync_request_many(account=account, invoices=[paid, voided, changed, agreed], actor=books.admin)
    drain(xero_account_id=books.xero_account.pk)
    bill = {invoice: AccountingSync.objects.get(invoice=invoice).xero_id for invoice in (paid, voided, changed)}
    tenant = books.xero_account.tenant_id
    books.sandbox.pay_invoice(tenant, bill[paid])
    xero = books.sandbox.sdk(books.sandbox.connect())
    xero.accounting.update_invoice(tenant, bill[voided], Invoices(invoices=[Invoice(status="VOIDED")]))
    line = LineItem(
        description="Changed in Xero",
        quantity=Decimal("2"),
        unit_amount=Decimal("10.00"),
        account_code="300",
        tax_type="INPUT2",
    )
    xero.accounting.update_invoice(tenant, bill[changed], Invoices(invoices=[Invoice(line_items=[line])]))
    finance = MembershipFactory(account=account, role="finance").user

    login(page, finance.email)
    page.goto(f"{live_server.url}/contacts/payments/")
    page.get_by_role("link", name="Reconcile with Xero").click()
    page.get_by_role("button", name="Compare with Xero").click()

    rows = page.locator("#reconcile-lines tbody tr")
    expect(rows).to_have_count(3, timeout=15_000)
    expect(rows.filter(has_text=paid.number)).to_contain_text("Paid in Xero on")
    expect(rows.filter(has_text=paid.number)).to_contain_text("unpaid in Onport")
    expect(rows.filter(has_text=voided.number)).to_contain_text("Voided in Xero, still issued in Onport.")
    expect(rows.filter(has_text=changed.number)).to_contain_text("Total differs: Onport 18.00, Xero 24.00.")
    expect(page.locator("#reconcile-lines")).not_to_contain_text(agreed.number)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    content = download.value.path().read_text()
    lines = list(csv.reader(io.StringIO(content)))
    listed = {row[0]: row[3] for row in lines[1 : lines.index([])]}
    assert set(listed) == {paid.number, voided.number, changed.number}
    for number, explanation in listed.items():
        expect(rows.filter(has_text=number)).to_contain_text(explanation)
    page.screenshot(path="/tmp/onport-reconcile.png", full_page=True)

    assert nightly_start_all() == 1  # the nightly check: one email naming the three
    [mail] = mailoutbox
    assert mail.subject == "Xero and Onport disagree: 3 new differences (Main entity)"
    for number, explanation in listed.items():
        assert f"{number} (Acme Packaging): {explanation}" in mail.body
    assert agreed.number not in mail.body
