"""Bill validation and status rules, with Xero's messages, through create/update_or_create/update."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from xero_python.accounting import Contact, CurrencyCode, Invoice, Invoices
from xero_python.exceptions import AccountingBadRequestException, NotFoundException

from integrations.xero.sandbox import seed

from .builders import bill, bills, line, messages

NOT_MODIFIABLE = ["Invoice not of valid status for modification"]


def create(xero, tenant, *invoices: Invoice) -> list[Invoice]:
    return xero.accounting.create_invoices(tenant, bills(*invoices), summarize_errors=False).invoices


def upsert(xero, tenant, invoice: Invoice) -> Invoice:
    return xero.accounting.update_or_create_invoices(tenant, bills(invoice), summarize_errors=False).invoices[0]


def rejected(xero, tenant, invoice: Invoice) -> list[str]:
    result = create(xero, tenant, invoice)[0]
    assert result.has_errors and result.status_attribute_string == "ERROR" and result.invoice_id is None
    return messages(result)


def test_unknown_and_archived_contacts_are_refused(xero_sandbox, xero, uk):
    unknown = "00000000-0000-0000-0000-000000000001"
    archived = xero_sandbox.seeded_contact_id(uk, seed.ARCHIVED_SUPPLIER)

    assert rejected(xero, uk, bill(unknown)) == [
        f"Contact must be valid: no contact with ContactID '{unknown}' exists."
    ]
    assert rejected(xero, uk, bill(archived)) == [
        "The contact 'Old Mill Supplies' is archived. Archived contacts cannot be used on a document."
    ]


@pytest.mark.parametrize("code", ["090", "800", "820", "461", "999"])
def test_bank_system_archived_and_unknown_accounts_are_not_valid_for_a_bill(xero, uk, acme, code):
    assert rejected(xero, uk, bill(acme, lines=[line(account_code=code)])) == [
        f"Account code '{code}' is not a valid code for this document."
    ]


def test_account_archived_at_run_time_is_refused(xero_sandbox, xero, uk, acme):
    xero_sandbox.set_account_status(uk, "429")

    assert rejected(xero, uk, bill(acme, lines=[line(account_code="429")])) == [
        "Account code '429' is not a valid code for this document."
    ]


def test_tax_types_must_exist_and_apply_to_expenses(xero, uk, acme):
    def tax_errors(tax_type: str) -> list[str]:
        return rejected(xero, uk, bill(acme, lines=[line(tax_type=tax_type)]))

    assert tax_errors("OUTPUT2") == ["The TaxType code 'OUTPUT2' cannot be used with account code '300'."]
    assert tax_errors("GST on Income")[0].startswith("Tax rate must be valid.")
    assert tax_errors("INPUT")[0].startswith("Tax rate must be valid.")  # a DELETED rate


def test_currency_must_be_enabled(xero, uk, acme):
    assert rejected(xero, uk, bill(acme, currency_code=CurrencyCode.AUD)) == [
        "Organisation is not subscribed to currency AUD"
    ]


def test_period_lock_date_blocks_documents_on_or_before_it(xero_sandbox, xero, uk, acme):
    xero_sandbox.set_lock_dates(uk, period_lock_date="2025-03-01")

    assert rejected(xero, uk, bill(acme, date=dt.date(2025, 3, 1))) == [
        "The document date cannot be before the period lock date, currently set at 01/03/2025"
    ]
    assert not create(xero, uk, bill(acme, date=dt.date(2025, 3, 2)))[0].has_errors


def test_every_line_needs_a_description_and_approval_needs_accounts(xero, uk, acme):
    assert rejected(xero, uk, bill(acme, lines=[line(description="")])) == [
        "The description field is mandatory for each line item."
    ]
    assert rejected(xero, uk, bill(acme, lines=[line(account_code=None)])) == [
        "The account code field is mandatory for each line item."
    ]
    assert not create(xero, uk, bill(acme, status="DRAFT", lines=[line(account_code=None)]))[0].has_errors


def test_several_errors_of_one_element_are_all_listed(xero, uk):
    errors = rejected(xero, uk, bill(seed.stable_id("nobody"), lines=[line(description="", account_code="090")]))

    assert len(errors) == 3


def test_summarized_errors_give_400_but_valid_bills_are_still_created(xero, uk, acme):
    good, bad = bill(acme, number="GOOD"), bill(acme, number="BAD", lines=[line(account_code="090")])

    with pytest.raises(AccountingBadRequestException) as refused:
        xero.accounting.create_invoices(uk, bills(good, bad))

    body = refused.value.error_data
    assert (body["ErrorNumber"], body["Type"]) == (10, "ValidationException")
    assert body["Message"] == "A validation exception occurred"
    assert [element["InvoiceNumber"] for element in body["Elements"]] == ["BAD"]
    assert refused.value.reason == "Account code '090' is not a valid code for this document."
    assert [i.invoice_number for i in xero.accounting.get_invoices(uk).invoices] == ["GOOD"]


def test_partial_batch_with_summarize_errors_false(xero, uk, acme):
    result = create(
        xero,
        uk,
        bill(acme, number="A"),
        bill(acme, number="B", lines=[line(tax_type="OUTPUT2")]),
        bill(acme, number="C"),
    )

    outcome = [(i.invoice_number, i.has_errors, bool(i.invoice_id)) for i in result]
    assert outcome == [("A", False, True), ("B", True, False), ("C", False, True)]


def test_created_bill_keeps_its_fields(xero, uk, acme):
    url = "https://onport.example/invoices/77"
    created = create(xero, uk, bill(acme, number="PO-77", url=url))[0]

    fetched = xero.accounting.get_invoice(uk, created.invoice_id).invoices[0]

    assert (fetched.type, fetched.invoice_number, fetched.url, fetched.status) == ("ACCPAY", "PO-77", url, "AUTHORISED")
    assert fetched.contact.contact_id == acme and fetched.contact.name == "Acme Packaging Ltd"
    assert (fetched.date, fetched.due_date) == (dt.date(2025, 3, 1), dt.date(2025, 3, 31))
    assert fetched.has_attachments is False and fetched.payments == [] and fetched.amount_credited == 0


def test_status_on_create(xero, uk, acme):
    assert rejected(xero, uk, bill(acme, status="PAID")) == [
        "An invoice can only be created as DRAFT, SUBMITTED or AUTHORISED, not PAID."
    ]


def test_draft_can_be_deleted_and_authorised_can_be_voided(xero, uk, acme):
    draft, approved = create(xero, uk, bill(acme, status="DRAFT"), bill(acme))

    deleted = xero.accounting.update_invoice(uk, draft.invoice_id, bills(Invoice(status="DELETED"))).invoices[0]
    voided = xero.accounting.update_invoice(uk, approved.invoice_id, bills(Invoice(status="VOIDED"))).invoices[0]

    assert (deleted.status, voided.status) == ("DELETED", "VOIDED")
    with pytest.raises(AccountingBadRequestException) as refused:
        xero.accounting.update_invoice(uk, approved.invoice_id, bills(Invoice(reference="again")))
    assert [refused.value.reason] == NOT_MODIFIABLE


def test_authorised_bill_cannot_be_deleted(xero, uk, acme):
    approved = create(xero, uk, bill(acme))[0]

    result = upsert(xero, uk, Invoice(invoice_id=approved.invoice_id, status="DELETED"))

    assert result.has_errors and "void an AUTHORISED invoice instead" in messages(result)[0]


def test_paid_bill_refuses_modification(xero_sandbox, xero, uk, acme):
    approved = create(xero, uk, bill(acme))[0]
    xero_sandbox.pay_invoice(uk, approved.invoice_id)

    result = upsert(xero, uk, Invoice(invoice_id=approved.invoice_id, line_items=[line("Changed", 1, "99")]))

    assert xero.accounting.get_invoice(uk, approved.invoice_id).invoices[0].status == "PAID"
    assert messages(result) == NOT_MODIFIABLE and result.invoice_id == approved.invoice_id


def test_part_paid_bill_cannot_be_voided_or_have_its_lines_changed(xero_sandbox, xero, uk, acme):
    approved = create(xero, uk, bill(acme))[0]
    xero_sandbox.pay_invoice(uk, approved.invoice_id, amount="5.00")

    void = upsert(xero, uk, Invoice(invoice_id=approved.invoice_id, status="VOIDED"))
    lines = upsert(xero, uk, Invoice(invoice_id=approved.invoice_id, line_items=[line("X", 1, "3")]))
    number = xero.accounting.update_invoice(uk, approved.invoice_id, bills(Invoice(invoice_number="PI-0001-b")))

    assert "cannot be voided" in messages(void)[0]
    assert messages(lines) == NOT_MODIFIABLE
    assert number.invoices[0].invoice_number == "PI-0001-b"


def test_update_by_invoice_id_replaces_lines_and_bumps_updated_date(xero, uk, acme):
    draft = create(xero, uk, bill(acme, status="DRAFT"))[0]
    kept = draft.line_items[0]
    new_lines = [line(kept.description, 2, "10.00", line_item_id=kept.line_item_id), line("Extra", 1, "1.00")]

    updated = upsert(xero, uk, Invoice(invoice_id=draft.invoice_id, status="AUTHORISED", line_items=new_lines))

    assert (updated.invoice_id, updated.status, updated.total) == (draft.invoice_id, "AUTHORISED", Decimal("25.2"))
    assert updated.line_items[0].line_item_id == kept.line_item_id and len(updated.line_items) == 2
    assert updated.updated_date_utc >= draft.updated_date_utc
    assert len(xero.accounting.get_invoices(uk).invoices) == 1


def test_post_without_invoice_id_never_matches_a_bill_by_number(xero, uk, acme):
    create(xero, uk, bill(acme, number="SAME"))

    upsert(xero, uk, bill(acme, number="SAME"))

    assert len(xero.accounting.get_invoices(uk, invoice_numbers=["SAME"]).invoices) == 2


def test_list_filters_and_paging(xero_sandbox, xero, uk, acme):
    other = xero_sandbox.seeded_contact_id(uk, "Cobalt Freight")
    acme_bills = [bill(acme, number=f"N-{n}") for n in range(3)]
    created = create(xero, uk, *acme_bills, bill(other, number="N-X", status="DRAFT"))
    api = xero.accounting

    by_contact = api.get_invoices(uk, contact_i_ds=[acme], statuses=["AUTHORISED", "PAID"], page=1)
    by_number = api.get_invoices(uk, invoice_numbers=["N-1", "N-X"])
    by_id = api.get_invoices(uk, i_ds=[created[0].invoice_id])
    where = api.get_invoices(uk, where=f'Status=="DRAFT" AND Contact.ContactID==Guid("{other}")')

    assert [i.invoice_number for i in by_contact.invoices] == ["N-0", "N-1", "N-2"]
    assert by_contact.pagination.item_count == 3
    assert by_contact.invoices[0].line_items and by_number.invoices[0].line_items is None  # unpaged lists omit lines
    assert sorted(i.invoice_number for i in by_number.invoices) == ["N-1", "N-X"]
    assert [i.invoice_number for i in by_id.invoices] == ["N-0"]
    assert [i.invoice_number for i in where.invoices] == ["N-X"]


def test_unknown_invoice_is_404(xero, uk):
    with pytest.raises(NotFoundException):
        xero.accounting.get_invoice(uk, seed.stable_id("missing"))


def test_contact_by_name_only_is_created_and_flagged_as_supplier(xero, uk):
    walk_in = Invoice(type="ACCPAY", contact=Contact(name="Walk-in Supplier"), line_items=[line()], status="DRAFT")

    invoice = xero.accounting.create_invoices(uk, Invoices(invoices=[walk_in]), summarize_errors=False).invoices[0]

    contact = xero.accounting.get_contact(uk, invoice.contact.contact_id).contacts[0]
    assert contact.name == "Walk-in Supplier" and contact.is_supplier
