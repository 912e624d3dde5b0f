"""The vendor's own invoice number: optional, once per vendor, searchable, kept in the history, in the remittance."""

import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from accounting.payouts import services as payouts
from invoicing import services
from invoicing.errors import InvoicingError
from invoicing.models import InvoiceEvent
from tests.accounting.test_payouts import NS, VENDOR_IBANS, payee, payouts_setup, synced_invoices
from tests.factories import VendorFactory, invoice_create, order_create
from tests.invoicing.conftest import detail_url

pytestmark = pytest.mark.django_db


def test_the_order_page_creates_an_invoice_with_the_vendors_number_and_refuses_it_twice(vendor, finance_client):
    order = order_create(vendor=vendor, lines=((4, "10.00"),))
    url = reverse("invoicing:order_invoice_create", args=[order.pk])
    line = order.lines.get()
    post = {f"qty_{line.id}": 1, "shipping": "0.00", "issue_date": "2026-11-20"}

    created = finance_client.post(url, {**post, "vendor_invoice_number": " 7781 "}, follow=True)
    refused = finance_client.post(url, {**post, "vendor_invoice_number": "7781"})

    first = order.invoices.get()
    assert first.vendor_invoice_number == "7781" and "7781" in created.content.decode()
    assert refused.status_code == 400
    assert f"{vendor.name}&#x27;s invoice number 7781 is already on invoice {first.number}." in refused.content.decode()
    assert order.invoices.count() == 1


def test_the_same_number_from_another_vendor_or_account_is_fine(vendor, account, other_account):
    first = invoice_create(order=order_create(vendor=vendor))
    services.invoice_vendor_number_set(invoice=first, number="A-1")
    for other in (VendorFactory(account=account), VendorFactory(account=other_account)):
        invoice = services.invoice_vendor_number_set(
            invoice=invoice_create(order=order_create(vendor=other)), number="A-1"
        )
        assert invoice.vendor_invoice_number == "A-1"
    with pytest.raises(InvoicingError, match="already on invoice"):
        services.invoice_vendor_number_set(invoice=invoice_create(order=order_create(vendor=vendor)), number="A-1")


def test_finance_sets_it_on_the_invoice_page_and_the_history_says_so(issued, finance_client, viewer_client):
    url = reverse("invoicing:invoice_vendor_number", args=[issued.pk])

    assert viewer_client.post(url, {"vendor_invoice_number": "X"}).status_code == 403
    finance_client.post(url, {"vendor_invoice_number": "INV/2026/118"})
    finance_client.post(url, {"vendor_invoice_number": "INV/2026/119"})

    issued.refresh_from_db()
    assert issued.vendor_invoice_number == "INV/2026/119"
    assert list(
        InvoiceEvent.objects.filter(invoice=issued, action="vendor_number").values_list("message", flat=True)
    ) == [
        "Vendor's invoice number set to INV/2026/119 (was INV/2026/118).",
        "Vendor's invoice number set to INV/2026/118.",
    ]
    page = finance_client.get(detail_url(issued)).content.decode()
    assert 'id="vendor-invoice-number">INV/2026/119<' in page


def test_a_void_invoice_keeps_its_numbers(issued, finance_client):
    services.invoice_void(invoice=issued, reason="Sent twice")
    with pytest.raises(InvoicingError, match="is void"):
        services.invoice_vendor_number_set(invoice=issued, number="7781")


def test_another_accounts_invoice_answers_404(finance_client, other_account):
    theirs = invoice_create(order=order_create(vendor=VendorFactory(account=other_account)))
    url = reverse("invoicing:invoice_vendor_number", args=[theirs.pk])
    assert finance_client.post(url, {"vendor_invoice_number": "1"}).status_code == 404


def test_search_invoices_finds_a_part_of_the_vendors_number(vendor, finance_client):
    wanted = services.invoice_vendor_number_set(
        invoice=invoice_create(order=order_create(vendor=vendor)), number="FAC-2026-00418"
    )
    invoice_create(order=order_create(vendor=vendor))

    response = finance_client.get(reverse("invoicing:invoice_list"), {"number": "00418"})

    assert [invoice.pk for invoice in response.context["page"]] == [wanted.pk]
    assert "FAC-2026-00418" in response.content.decode()


def test_the_sepa_remittance_names_the_vendors_number_the_po_and_the_sales_order(books, account):
    payouts_setup(books, delay_days=0)
    vendor = payee(books, account, name="Lumen", iban=VENDOR_IBANS[0])
    [invoice] = synced_invoices(books, vendor)
    invoice.order.sales_order_reference = "SO-5521"
    invoice.order.save(update_fields=["sales_order_reference"])
    services.invoice_vendor_number_set(invoice=invoice, number="FAC-418")

    run = payouts.payout_run_approve(run=payouts.payout_run_create(account=account), actor=books.admin)

    root = ET.fromstring(run.files.get().content.encode())
    [remittance] = [tx.find("p:RmtInf/p:Ustrd", NS).text for tx in root.findall(".//p:CdtTrfTxInf", NS)]
    assert remittance == f"PAYOUT-0001 {invoice.number} your ref FAC-418 {invoice.order.number} order SO-5521"
