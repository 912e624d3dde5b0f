"""Preview bill: what sync accounting would send, the amounts Xero computes, every problem — without calling Xero."""

from decimal import Decimal

import pytest
from django.http import HttpRequest
from django.test import Client
from django.urls import reverse

from accounting.setup.models import TaxRateMapping
from accounting.sync.outbox import drain
from integrations.xero.mapping import BillInput, BillLine, bill_totals
from integrations.xero_lists import xero_lists_get
from tests.factories import PASSWORD, MembershipFactory, VendorFactory, invoice_create, order_create

pytestmark = pytest.mark.django_db


def _preview(client, invoice):
    response = client.get(reverse("sync:bill_preview", args=[invoice.pk]))
    assert response.status_code == 200
    return response


@pytest.fixture
def odd_amounts(books, account):
    """Unit costs with four decimals and a zero-rated line: Xero rounds each line, so totals need its arithmetic."""
    vendor = VendorFactory(account=account, name="Acme Packaging", payment_terms_days=14)
    books.link(vendor)
    order = order_create(vendor=vendor, lines=((3, "12.3333"), (7, "1.9950")), shipping="4.99")
    return invoice_create(order=order)


def test_the_preview_is_what_the_sandbox_then_stores_line_by_line(books, odd_amounts, finance_client):
    # given Xero's lists read a moment ago (as Setup > Accounting does)
    xero_lists_get(xero_account=books.xero_account, fresh=True)
    before = len(books.sandbox.requests())

    preview = _preview(finance_client, odd_amounts).context["preview"]

    assert len(books.sandbox.requests()) == before  # nothing was asked of Xero
    assert preview.problems == () and preview.checked_in_xero
    assert preview.in_xero == "sync accounting would create this bill in Xero."
    assert [line.account_rule for line in preview.lines] == [
        "Setup > Accounting, product lines",
        "Setup > Accounting, product lines",
        "Setup > Accounting, shipping lines",
    ]

    # when it is synced
    finance_client.post(reverse("sync:invoice_sync", args=[odd_amounts.pk]))
    drain(xero_account_id=books.xero_account.pk)

    # then the bill in Xero holds the same lines and amounts, to the cent
    [bill] = books.bills()
    stored = [
        (
            line["Description"],
            Decimal(str(line["Quantity"])),
            Decimal(str(line["UnitAmount"])),
            line["AccountCode"],
            line["TaxType"],
            Decimal(str(line["LineAmount"])),
            Decimal(str(line["TaxAmount"])),
        )
        for line in bill["LineItems"]
    ]
    shown = [
        (
            line.description,
            Decimal(line.quantity),
            line.unit_amount,
            line.account_code,
            line.tax_type,
            line.amount,
            line.tax,
        )
        for line in preview.lines
    ]
    assert shown == stored
    assert (preview.sub_total, preview.total_tax, preview.total) == tuple(
        Decimal(str(bill[key])) for key in ("SubTotal", "TotalTax", "Total")
    )
    assert (preview.draft.bill.number, preview.draft.bill.due_date.isoformat()) == (
        bill["InvoiceNumber"],
        bill["DueDate"][:10],
    )
    assert preview.total == Decimal("67.15")  # 37.00 + 13.97 + 4.99, tax 7.40 + 2.79 + 1.00 per line

    # and previewing again says Xero already has it
    again = _preview(finance_client, odd_amounts).context["preview"]
    assert again.in_xero == "Xero already has exactly this bill: sync accounting would send nothing."


def test_every_problem_is_listed_at_once_and_nothing_is_sent(books, account, finance_client):
    # given an unlinked vendor, a tax rate with no Xero tax type, and the product account archived in Xero
    vendor = VendorFactory(account=account, name="Nowhere Ltd")
    invoice = invoice_create(order=order_create(vendor=vendor, tax_rate="5.00"))
    books.sandbox.set_account_status(books.xero_account.tenant_id, "300", "ARCHIVED")
    xero_lists_get(xero_account=books.xero_account, fresh=True)
    before = len(books.sandbox.requests())

    page = _preview(finance_client, invoice)

    problems = page.context["preview"].problems
    assert problems[0] == "Vendor 'Nowhere Ltd' is not linked to a Xero contact — link it on the Tax tab."
    assert "Choose the Xero tax type for the 5 % tax rate in Setup > Accounting." in problems
    assert problems[2] == (
        "Account 300 – Purchases is archived in Xero, so Xero would refuse bills coded to it. Choose an "
        "active account, or restore it in Xero first. (Set in Setup > Accounting, product lines.)"
    )
    assert len(problems) == 3
    html = page.content.decode()
    assert "What stops this bill" in html and "Nothing is sent to Xero until the problems above are fixed." in html
    assert "sync accounting</button>" not in html  # nothing to send yet
    assert len(books.sandbox.requests()) == before


def test_a_currency_xero_has_not_enabled_is_caught_before_sending(books, account, finance_client):
    vendor = VendorFactory(account=account, name="Sydney Supplies", currency="AUD")
    books.link(vendor)
    xero_lists_get(xero_account=books.xero_account, fresh=True)

    problems = _preview(finance_client, invoice_create(order=order_create(vendor=vendor))).context["preview"].problems

    assert problems == (
        "Onport Demo (UK) has not enabled AUD in Xero: enable it under Xero › Settings › Currencies, then sync again.",
    )


def test_without_lists_read_lately_the_page_says_what_was_not_checked(books, odd_amounts, viewer_client):
    page = _preview(viewer_client, odd_amounts)

    preview = page.context["preview"]
    assert not preview.checked_in_xero and preview.problems == ()
    assert [line.tax_rate for line in preview.lines] == [Decimal("20.00")] * 3  # Onport's rates
    html = page.content.decode()
    assert "were not checked against Xero&#x27;s lists" in html or "were not checked against Xero's lists" in html
    assert "sync accounting</button>" not in html  # a viewer previews, finance syncs


def test_a_vendor_override_and_a_changed_bill_are_explained(books, odd_amounts, finance_client):
    finance_client.post(reverse("sync:invoice_sync", args=[odd_amounts.pk]))
    drain(xero_account_id=books.xero_account.pk)
    link = books.link(odd_amounts.vendor)
    link.account_code_override = "310"
    link.save(update_fields=["account_code_override"])

    preview = _preview(finance_client, odd_amounts).context["preview"]

    assert [(line.account_code, line.account_rule) for line in preview.lines] == [
        ("310", "vendor 'Acme Packaging' override"),
        ("310", "vendor 'Acme Packaging' override"),
        ("425", "Setup > Accounting, shipping lines"),
    ]
    assert preview.in_xero == "Xero has an older version of this bill: sync accounting would update it to this."


def test_before_a_xero_account_is_chosen_the_preview_says_so(account, finance_client):
    invoice = invoice_create(order=order_create(vendor=VendorFactory(account=account)))
    assert _preview(finance_client, invoice).context["preview"].problems == (
        "Choose the Xero account to sync to in Setup > Accounting first.",
    )


def test_another_accounts_invoice_answers_404(books, other_account, finance_client):
    theirs = invoice_create(order=order_create(vendor=VendorFactory(account=other_account)))
    assert finance_client.get(reverse("sync:bill_preview", args=[theirs.pk])).status_code == 404
    assert finance_client.get(reverse("sync:bill_preview", args=[theirs.pk + 1000])).status_code == 404


def test_the_invoice_page_links_its_preview(books, odd_amounts, account):
    client = _client(account, "viewer")
    assert (
        reverse("sync:bill_preview", args=[odd_amounts.pk])
        in client.get(odd_amounts.get_absolute_url()).content.decode()
    )


def test_preview_reads_a_fixed_number_of_queries(books, account, finance_client, django_assert_max_num_queries):
    vendor = VendorFactory(account=account, name="Many Lines")
    books.link(vendor)
    invoice = invoice_create(order=order_create(vendor=vendor, lines=[(1, "1.00")] * 25))
    TaxRateMapping.objects.filter(rate=Decimal("0.00")).delete()
    with django_assert_max_num_queries(16):
        _preview(finance_client, invoice)


def test_xeros_arithmetic_inclusive_rounds_tax_inside_each_line():
    line = BillLine(description="x", quantity=3, unit_amount=Decimal("3.3333"), account_code="300", tax_type="INPUT2")
    bill = BillInput(
        contact_id="c",
        number="1",
        date=None,
        due_date=None,
        currency="GBP",
        line_amount_type="Inclusive",
        status="DRAFT",
        url="",
        lines=(line, line),
    )
    totals = bill_totals(bill, line_rates=(Decimal("20"), Decimal("20")))
    assert [(t.amount, t.tax) for t in totals.lines] == [(Decimal("10.00"), Decimal("1.67"))] * 2
    assert (totals.sub_total, totals.total_tax, totals.total) == (Decimal("16.66"), Decimal("3.34"), Decimal("20.00"))


def _client(account, role):
    user = MembershipFactory(account=account, role=role).user
    client = Client()
    assert client.login(request=HttpRequest(), username=user.username, password=PASSWORD)
    return client
