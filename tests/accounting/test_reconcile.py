"""Reconcile with Xero: bills changed in Xero (paid, part paid, voided, a line changed), an invoice never sent,
one paid only in Onport and bills Onport did not send, each explained; totals per vendor to the cent; the CSV."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils.html import escape
from django.utils import timezone
from xero_python.accounting import Contact, Invoice, Invoices, LineItem

from accounting.reconcile.models import Difference, Reconciliation, ReconciliationState
from accounting.reconcile.services import ReconcileRefused, reconciliation_run, reconciliation_start
from accounting.sync.inputs import invoice_url
from accounting.sync.models import AccountingSync
from accounting.sync.outbox import drain
from accounting.sync.services import sync_request_many
from invoicing.services import invoice_mark_paid
from tests.factories import MembershipFactory, invoice_create, order_create

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
RANGE = {"date_from": TODAY - datetime.timedelta(days=30), "date_to": TODAY}


def _synced(books, vendor, count, unit="10.00"):
    invoices = [invoice_create(order=order_create(vendor=vendor, lines=[(1, unit)])) for _ in range(count)]
    sync_request_many(account=vendor.account, invoices=invoices, actor=books.admin)
    drain(xero_account_id=books.xero_account.pk)
    return invoices


def _bill_id(invoice) -> str:
    return AccountingSync.objects.get(invoice=invoice, adjustment=None).xero_id


def _reconcile(books) -> Reconciliation:
    reconciliation = reconciliation_start(xero_account=books.xero_account, actor=books.admin, **RANGE)
    return reconciliation_run(reconciliation_id=reconciliation.pk)  # the task runs it after the commit


def _xero(books):
    """A person in Xero, through the real API."""
    return books.sandbox.sdk(books.sandbox.connect())


def _differences(reconciliation) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for line in reconciliation.lines.select_related("invoice"):
        found.setdefault(line.difference, set()).add(line.invoice.number if line.invoice else line.xero_number)
    return found


@pytest.fixture
def changed_in_xero(books, linked_vendor):
    """Seven invoices synced as approved bills, then changed in Xero (or in Onport only), and one never sent."""
    books.settings.bill_status = "AUTHORISED"
    books.settings.save()
    agreed, paid, part_paid, voided, changed, paid_in_onport, copied = _synced(books, linked_vendor, 7)
    [never_sent] = [invoice_create(order=order_create(vendor=linked_vendor, lines=[(1, "7.00")]))]
    tenant = books.xero_account.tenant_id
    books.sandbox.pay_invoice(tenant, _bill_id(paid))
    books.sandbox.pay_invoice(tenant, _bill_id(part_paid), amount="5.00")
    xero = _xero(books)
    xero.accounting.update_invoice(tenant, _bill_id(voided), Invoices(invoices=[Invoice(status="VOIDED")]))
    line = LineItem(
        description="Changed in Xero",
        quantity=Decimal("1"),
        unit_amount=Decimal("11.00"),
        account_code="300",
        tax_type="INPUT2",
    )
    xero.accounting.update_invoice(tenant, _bill_id(changed), Invoices(invoices=[Invoice(line_items=[line])]))
    invoice_mark_paid(invoice=paid_in_onport)
    contact = books.sandbox.seeded_contact_id(tenant, "Acme Packaging Ltd")
    copies = [
        Invoice(
            type="ACCPAY",
            contact=Contact(contact_id=contact),
            date=TODAY,
            due_date=TODAY,
            status="AUTHORISED",
            invoice_number=number,
            url=url,
            line_items=[line],
        )
        for number, url in (
            (f"{copied.number}-copy", invoice_url(copied)),
            ("STRAY-1", invoice_url(copied).replace(f"/{copied.pk}/", "/999999/")),
        )
    ]
    xero.accounting.create_invoices(tenant, Invoices(invoices=copies))
    return {
        "agreed": agreed,
        "paid": paid,
        "part_paid": part_paid,
        "voided": voided,
        "changed": changed,
        "paid_in_onport": paid_in_onport,
        "copied": copied,
        "never_sent": never_sent,
    }


def test_each_bill_changed_in_xero_is_listed_with_what_differs(books, changed_in_xero):
    invoices = changed_in_xero

    reconciliation = _reconcile(books)

    assert reconciliation.state == ReconciliationState.DONE
    assert _differences(reconciliation) == {
        Difference.PAID_IN_XERO: {invoices["paid"].number},
        Difference.PART_PAID_IN_XERO: {invoices["part_paid"].number},
        Difference.VOIDED_IN_XERO: {invoices["voided"].number},
        Difference.TOTAL: {invoices["changed"].number},
        Difference.PAID_IN_ONPORT: {invoices["paid_in_onport"].number},
        Difference.NOT_IN_XERO: {invoices["never_sent"].number},
        Difference.SECOND_BILL: {invoices["copied"].number},
        Difference.UNKNOWN_BILL: {"STRAY-1"},
    }
    lines = {line.difference: line for line in reconciliation.lines.all()}
    assert lines[Difference.PART_PAID_IN_XERO].explanation == "Part paid in Xero (5.00 of 18.00), unpaid in Onport."
    assert lines[Difference.TOTAL].explanation == "Total differs: Onport 18.00, Xero 13.20."
    assert "never been synced" in lines[Difference.NOT_IN_XERO].explanation
    assert "Mark the invoice paid in Onport" in lines[Difference.PAID_IN_XERO].what_to_do


def test_totals_per_vendor_compare_onport_payable_with_xero_amount_due_to_the_cent(books, changed_in_xero):
    reconciliation = _reconcile(books)

    [vendor] = reconciliation.vendor_totals.all()
    # unpaid in Onport (18.00 each, shipping included; 14.40 never sent): all but the one paid in Onport
    assert vendor.onport_payable == reconciliation.onport_payable == Decimal("122.40")
    # due in Xero: agreed, copied and paid-in-Onport 18.00 each, part paid 13.00, changed 13.20 (a copy of a
    # bill, a voided one, a paid one and one never sent owe nothing there)
    assert vendor.xero_amount_due == reconciliation.xero_amount_due == Decimal("80.20")
    assert not vendor.agrees


def test_a_range_that_agrees_says_so_in_a_few_calls(books, linked_vendor):
    _synced(books, linked_vendor, 3)
    before = len(books.sandbox.requests(path_prefix="/api.xro"))

    reconciliation = _reconcile(books)

    assert reconciliation.lines.count() == 0
    assert reconciliation.onport_payable == reconciliation.xero_amount_due == Decimal("54.00")
    assert reconciliation.calls == 1 == len(books.sandbox.requests(path_prefix="/api.xro")) - before
    [page] = books.sandbox.requests(path_prefix="/api.xro")[-1:]
    assert page["query"]["summaryOnly"].lower() == "true" and page["query"]["pageSize"] == "1000"


def test_a_bill_dated_outside_the_range_in_xero_is_read_by_its_id(books, linked_vendor):
    [moved] = _synced(books, linked_vendor, 1)
    xero = _xero(books)
    xero.accounting.update_invoice(
        books.xero_account.tenant_id,
        _bill_id(moved),
        Invoices(invoices=[Invoice(date=TODAY - datetime.timedelta(days=400))]),
    )

    reconciliation = _reconcile(books)

    assert reconciliation.lines.count() == 0  # found by id, and it agrees
    assert reconciliation.calls == 2


def test_a_range_backwards_or_longer_than_a_year_is_refused(books):
    with pytest.raises(ReconcileRefused, match="before its start"):
        reconciliation_start(
            xero_account=books.xero_account, date_from=TODAY, date_to=TODAY - datetime.timedelta(days=1)
        )
    with pytest.raises(ReconcileRefused, match="at most a year"):
        reconciliation_start(
            xero_account=books.xero_account, date_from=TODAY - datetime.timedelta(days=400), date_to=TODAY
        )


# -- the page, its CSV and who may see them ------------------------------------------------------------


def test_the_page_lists_the_differences_and_the_csv_matches_it(books, changed_in_xero, client):
    reconciliation = _reconcile(books)
    client.force_login(MembershipFactory(account=books.xero_account.account, role="finance").user)

    page = client.get(reverse("reconcile:page", args=[books.xero_account.pk])).content.decode()
    download = client.get(reverse("reconcile:csv", args=[books.xero_account.pk, reconciliation.pk]))

    rows = list(csv.reader(io.StringIO(download.content.decode())))
    lines = rows[1 : rows.index([])]
    assert download["Content-Type"].startswith("text/csv") and rows[0][:3] == ["Invoice", "Vendor", "What differs"]
    assert len(lines) == reconciliation.lines.count() == 8
    for number, _, what, explanation, what_to_do, *_ in lines:
        assert all(escape(cell) in page for cell in (number, what, explanation, what_to_do))  # what: the title
    assert ["All vendors", "122.40", "80.20", "no"] in rows
    assert 'id="total-onport">122.40' in page and 'id="total-xero">80.20' in page


def test_a_running_comparison_shows_its_progress_and_polls(books, linked_vendor, client):
    client.force_login(books.admin)
    response = client.post(
        reverse("reconcile:page", args=[books.xero_account.pk]),
        {"date_from": RANGE["date_from"].isoformat(), "date_to": RANGE["date_to"].isoformat()},
    )
    reconciliation = Reconciliation.objects.get(xero_account=books.xero_account)  # the task runs after the commit

    page = client.get(response.url).content.decode()

    assert response.status_code == 302 and reconciliation.state == ReconciliationState.RUNNING
    assert (
        "Reading Xero…" in page and reverse("reconcile:status", args=[books.xero_account.pk, reconciliation.pk]) in page
    )


def test_a_wrong_range_is_told_on_the_form(books, client):
    client.force_login(books.admin)

    page = client.post(
        reverse("reconcile:page", args=[books.xero_account.pk]),
        {"date_from": TODAY.isoformat(), "date_to": (TODAY - datetime.timedelta(days=3)).isoformat()},
    )

    assert page.status_code == 200 and "The end of the range is before its start." in page.content.decode()
    assert not Reconciliation.objects.exists()


def test_viewers_cannot_reconcile(books, client):
    client.force_login(MembershipFactory(account=books.xero_account.account, role="viewer").user)

    assert client.get(reverse("reconcile:page", args=[books.xero_account.pk])).status_code == 403


def test_another_account_s_xero_account_and_comparisons_answer_404(books, linked_vendor, client, other_account):
    _synced(books, linked_vendor, 1)
    reconciliation = _reconcile(books)
    client.force_login(MembershipFactory(account=other_account, role="admin").user)
    ids = [books.xero_account.pk, reconciliation.pk]

    assert client.get(reverse("reconcile:page", args=ids[:1])).status_code == 404
    assert client.post(reverse("reconcile:page", args=ids[:1]), RANGE).status_code == 404
    assert client.get(reverse("reconcile:status", args=ids)).status_code == 404
    assert client.get(reverse("reconcile:csv", args=ids)).status_code == 404


def test_a_credit_note_whose_allocation_was_removed_in_xero_is_listed_and_counts_against_the_due(books, linked_vendor):
    from invoicing import services as invoicing

    books.settings.bill_status = "AUTHORISED"
    books.settings.adjustments_enabled_by_staff = books.settings.sync_adjustments = True
    books.settings.save()
    [allocated, unallocated] = _synced(books, linked_vendor, 2)
    for invoice in (allocated, unallocated):
        invoicing.adjustment_add(invoice=invoice, kind="credit", amount=Decimal("3.00"), reason="Damaged")
    sync_request_many(account=linked_vendor.account, invoices=[allocated, unallocated])
    drain(xero_account_id=books.xero_account.pk)
    note_id = AccountingSync.objects.get(invoice=unallocated, adjustment__isnull=False).xero_id
    tenant = books.xero_account.tenant_id
    xero = _xero(books)
    [allocation] = xero.accounting.get_credit_note(tenant, note_id).credit_notes[0].allocations
    xero.accounting.delete_credit_note_allocations(tenant, note_id, allocation.allocation_id)

    reconciliation = _reconcile(books)

    [line] = reconciliation.lines.all()
    assert (line.difference, line.invoice) == (Difference.CREDIT_UNALLOCATED, unallocated)
    assert "3.00 not allocated to the bill" in line.explanation
    # Onport: 2 × (18.00 − 3.00); Xero: 15.00 due on one bill, 18.00 less 3.00 of credit not applied on the other
    assert reconciliation.onport_payable == reconciliation.xero_amount_due == Decimal("30.00")


# -- the nightly check and what the invoice page says of Xero ------------------------------------------


def test_the_nightly_check_emails_admins_and_finance_once_naming_what_is_new(
    books, changed_in_xero, mailoutbox, django_capture_on_commit_callbacks
):
    from accounting.reconcile.services import nightly_start_all

    invoices = changed_in_xero
    finance = MembershipFactory(account=books.xero_account.account, role="finance").user
    MembershipFactory(account=books.xero_account.account, role="viewer")
    with django_capture_on_commit_callbacks(execute=True):
        assert nightly_start_all() == 1  # the task runs it, then the email goes

    [mail] = mailoutbox
    assert sorted(mail.to) == sorted([books.admin.email, finance.email])
    assert mail.subject == "Xero and Onport disagree: 8 new differences (Main entity)"
    assert f"{invoices['paid'].number} (Acme Packaging): Paid in Xero on" in mail.body
    assert f"{invoices['voided'].number} (Acme Packaging): Voided in Xero" in mail.body
    assert reverse("reconcile:page", args=[books.xero_account.pk]) in mail.body

    with django_capture_on_commit_callbacks(execute=True):
        nightly_start_all()  # the next night: nothing new, no email
    assert len(mailoutbox) == 1

    books.sandbox.pay_invoice(books.xero_account.tenant_id, _bill_id(invoices["agreed"]))
    with django_capture_on_commit_callbacks(execute=True):
        nightly_start_all()
    assert len(mailoutbox) == 2 and "1 new difference " in mailoutbox[1].subject
    assert invoices["agreed"].number in mailoutbox[1].body and invoices["paid"].number not in mailoutbox[1].body


def test_the_nightly_check_also_reads_older_bills_changed_since_the_last_night(
    books, linked_vendor, mailoutbox, django_capture_on_commit_callbacks
):
    from accounting.reconcile.services import NIGHTLY_DAYS, nightly_start_all
    from invoicing.models import PurchaseInvoice

    books.settings.bill_status = "AUTHORISED"
    books.settings.save()
    [old] = [invoice_create(order=order_create(vendor=linked_vendor, lines=[(1, "10.00")]))]
    PurchaseInvoice.objects.filter(pk=old.pk).update(issue_date=TODAY - datetime.timedelta(days=NIGHTLY_DAYS + 60))
    sync_request_many(account=linked_vendor.account, invoices=[old], actor=books.admin)
    drain(xero_account_id=books.xero_account.pk)
    with django_capture_on_commit_callbacks(execute=True):
        nightly_start_all()  # the first night: nothing differs
    assert mailoutbox == []
    Reconciliation.objects.update(started_at=timezone.now() - datetime.timedelta(days=1))

    books.sandbox.set_invoice_status(books.xero_account.tenant_id, _bill_id(old), "VOIDED")
    with django_capture_on_commit_callbacks(execute=True):
        nightly_start_all()

    [mail] = mailoutbox
    assert f"{old.number} (Acme Packaging): Voided in Xero, still issued in Onport." in mail.body
    assert AccountingSync.objects.get(invoice=old).seen_in_xero.status == "VOIDED"
    modified = [
        r for r in books.sandbox.requests(path_prefix="/api.xro/2.0/Invoices") if r["headers"].get("If-Modified-Since")
    ]
    assert len(modified) == 1


def test_the_invoice_page_says_where_the_bill_stands_in_xero_and_when_it_was_seen(books, changed_in_xero, client):
    _reconcile(books)
    client.force_login(books.admin)

    paid = client.get(changed_in_xero["paid"].get_absolute_url()).content.decode()
    part_paid = client.get(changed_in_xero["part_paid"].get_absolute_url()).content.decode()
    voided = client.get(changed_in_xero["voided"].get_absolute_url()).content.decode()

    assert f"Paid in Xero on {TODAY:%-d %b %Y}." in paid and "Seen in Xero" in paid
    assert "Part paid in Xero: 5.00 paid, 13.00 still due." in part_paid
    assert "Voided in Xero." in voided


def test_the_page_s_queries_do_not_grow_with_its_lines(books, changed_in_xero, client, django_assert_max_num_queries):
    _reconcile(books)
    client.force_login(books.admin)

    with django_assert_max_num_queries(16):  # eight lines, each with its invoice and vendor; webhook and nightly
        page = client.get(reverse("reconcile:page", args=[books.xero_account.pk]))

    assert page.content.decode().count("<tr data-difference=") == 8
