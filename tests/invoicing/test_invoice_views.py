"""An invoice's page and its actions: issue, edit, amend, mark paid, void, adjustments, history."""

from decimal import Decimal

import pytest
from django.urls import reverse

from invoicing import services
from invoicing.models import InvoiceAdjustment, InvoiceStatus
from tests.invoicing.conftest import detail_url, quantities_post

pytestmark = pytest.mark.django_db


# --- the invoice page -------------------------------------------------------------------------


@pytest.mark.parametrize("client_fixture", ["admin_client_", "finance_client", "viewer_client"])
def test_every_role_sees_the_invoice_page(request, client_fixture, issued, order):
    client = request.getfixturevalue(client_fixture)

    response = client.get(detail_url(issued))

    assert response.status_code == 200
    html = response.content.decode()
    assert issued.number in html and "badge-issued" in html
    assert order.get_absolute_url() in html and reverse("contacts:vendor_edit", args=[order.vendor.pk]) in html
    for text in ("SKU-1", "Product 1", "SKU-2", "Shipping", "Subtotal", "History", "Invoice issued."):
        assert text in html, text
    assert "35.40 GBP" in html  # (2 × 10.00 + 1 × 4.50 + 5.00 shipping) + 20% tax


def test_invoice_page_totals_and_lines(viewer_client, issued):
    response = viewer_client.get(detail_url(issued))

    invoice = response.context["invoice"]
    assert [(line.sku, line.quantity, line.gross_amount) for line in invoice.lines.all()] == [
        ("SKU-1", 2, Decimal("24.00")),
        ("SKU-2", 1, Decimal("5.40")),
        ("", 1, Decimal("6.00")),
    ]
    html = response.content.decode()
    assert "29.50" in html and "5.90" in html and "35.40 GBP" in html  # subtotal, tax, total


ACTIONS = ("Issue</button>", "Mark paid", "Void invoice", "Save lines", "Amend invoice", "Add adjustment</button>")


def test_viewers_see_no_actions(viewer_client, draft, issued):
    for invoice in (draft, issued):
        html = viewer_client.get(detail_url(invoice)).content.decode()
        for action in ACTIONS:
            assert action not in html, action


def test_finance_sees_the_actions_of_each_status(finance_client, draft, issued):
    draft_html = finance_client.get(detail_url(draft)).content.decode()
    issued_html = finance_client.get(detail_url(issued)).content.decode()

    assert "Issue</button>" in draft_html and "Save lines" in draft_html and "Void invoice" in draft_html
    assert "Mark paid" not in draft_html and "Add adjustment</button>" not in draft_html
    assert "Mark paid" in issued_html and "Amend invoice" in issued_html and "Add adjustment</button>" in issued_html
    assert "Issued invoices are not edited silently" in issued_html


def test_issue_a_draft(finance_client, draft):
    response = finance_client.post(reverse("invoicing:invoice_issue", args=[draft.pk]), follow=True)

    draft.refresh_from_db()
    assert draft.status == InvoiceStatus.ISSUED
    assert f"Invoice {draft.number} issued." in response.content.decode()
    assert draft.events.first().actor == finance_client.user


def test_issuing_twice_shows_the_refusal(finance_client, issued):
    response = finance_client.post(reverse("invoicing:invoice_issue", args=[issued.pk]), follow=True)

    assert "Only a draft can be issued; this invoice is issued." in response.content.decode()


def test_edit_the_lines_of_a_draft(finance_client, draft, order):
    response = finance_client.post(
        reverse("invoicing:invoice_edit_lines", args=[draft.pk]), quantities_post(order, (3, 2), shipping="5.00")
    )

    assert response.status_code == 302
    draft.refresh_from_db()
    assert sorted((line.sku, line.quantity) for line in draft.lines.all()) == [("", 1), ("SKU-1", 3), ("SKU-2", 2)]


def test_editing_lines_beyond_the_order_keeps_the_inputs(finance_client, draft, order):
    response = finance_client.post(
        reverse("invoicing:invoice_edit_lines", args=[draft.pk]), quantities_post(order, (4, 0), shipping="1.00")
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "SKU-1: you asked to invoice 4, but only 3 of the 3 ordered are left to invoice." in html
    assert 'value="4"' in html


def test_an_issued_invoice_is_amended_with_a_reason(finance_client, issued, order):
    url = reverse("invoicing:invoice_amend", args=[issued.pk])

    refused = finance_client.post(url, quantities_post(order, (1, 1), shipping="5.00"))
    amended = finance_client.post(url, quantities_post(order, (1, 1), shipping="5.00", reason="Vendor credit note"))

    assert refused.status_code == 400
    assert "Say why this issued invoice is being amended." in refused.content.decode()
    assert amended.status_code == 302
    issued.refresh_from_db()
    assert issued.total == Decimal("23.40")
    assert "Reason: Vendor credit note" in issued.events.first().message


def test_an_issued_invoice_is_not_edited_without_a_reason(finance_client, issued, order):
    response = finance_client.post(
        reverse("invoicing:invoice_edit_lines", args=[issued.pk]), quantities_post(order, (1, 1), shipping="5.00")
    )

    assert response.status_code == 400
    assert "Say why this issued invoice is being amended" in response.content.decode()
    issued.refresh_from_db()
    assert issued.total == Decimal("35.40")


def test_mark_an_issued_invoice_paid(finance_client, issued):
    response = finance_client.post(reverse("invoicing:invoice_mark_paid", args=[issued.pk]), follow=True)

    issued.refresh_from_db()
    assert issued.status == InvoiceStatus.PAID
    assert "marked as paid" in response.content.decode()


def test_a_draft_cannot_be_marked_paid(finance_client, draft):
    response = finance_client.post(reverse("invoicing:invoice_mark_paid", args=[draft.pk]), follow=True)

    assert "Only an issued invoice can be marked paid; this invoice is draft." in response.content.decode()


def test_void_needs_a_reason(finance_client, issued):
    url = reverse("invoicing:invoice_void", args=[issued.pk])

    refused = finance_client.post(url, {"reason": "  "})
    voided = finance_client.post(url, {"reason": "Sent twice"}, follow=True)

    assert refused.status_code == 400 and "Say why the invoice is void." in refused.content.decode()
    html = voided.content.decode()
    assert "badge-void" in html and "Voided. Reason: Sent twice" in html
    assert "Void invoice</button>" not in html and "Amend invoice" not in html
    issued.refresh_from_db()
    assert issued.status == InvoiceStatus.VOID


def test_a_paid_invoice_cannot_be_voided(finance_client, issued):
    services.invoice_mark_paid(invoice=issued)

    response = finance_client.post(reverse("invoicing:invoice_void", args=[issued.pk]), {"reason": "Oops"})

    assert response.status_code == 400
    assert "A paid invoice cannot be voided." in response.content.decode()


def test_add_an_adjustment_to_an_issued_invoice(finance_client, issued):
    response = finance_client.post(
        reverse("invoicing:invoice_adjustment_add", args=[issued.pk]),
        {"kind": "credit", "amount": "2.50", "reason": "Damaged mug"},
        follow=True,
    )

    adjustment = InvoiceAdjustment.objects.get(invoice=issued)
    assert (adjustment.amount, adjustment.created_by) == (Decimal("2.50"), finance_client.user)
    html = response.content.decode()
    assert "Damaged mug" in html and "Adjustment added" in html


def test_adjustments_are_for_issued_or_paid_invoices(finance_client, draft):
    response = finance_client.post(
        reverse("invoicing:invoice_adjustment_add", args=[draft.pk]),
        {"kind": "debit", "amount": "1.00", "reason": "Late fee"},
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "Adjustments are made on issued or paid invoices." in html
    assert 'value="Late fee"' in html


def test_an_adjustment_form_says_what_is_wrong(finance_client, issued):
    response = finance_client.post(
        reverse("invoicing:invoice_adjustment_add", args=[issued.pk]), {"kind": "credit", "amount": "abc", "reason": ""}
    )

    assert response.status_code == 400
    errors = response.context["adjustment_form"].errors
    assert set(errors) == {"amount", "reason"}


def test_history_is_newest_first_with_actor(finance_client, draft):
    finance_client.post(reverse("invoicing:invoice_issue", args=[draft.pk]))

    events = list(finance_client.get(detail_url(draft)).context["invoice"].events.all())

    assert [event.action for event in events] == ["issued", "created"]
    assert events[0].actor == finance_client.user


# --- tenancy and roles ------------------------------------------------------------------------
