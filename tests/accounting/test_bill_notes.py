"""The vendor's invoice number, the PO and the sales order on the bill's history in Xero: through the outbox, once."""

import pytest
from django.utils import timezone

from accounting.sync.models import AccountingSync, BillNote, SyncState
from accounting.sync.notes import bill_notes_drain, bill_notes_request
from accounting.sync.outbox import drain
from accounting.sync.services import sync_request
from invoicing import services as invoicing
from tests.factories import invoice_create, order_create

pytestmark = pytest.mark.django_db


def _history(books, bill_id: str) -> list[str]:
    org = books.sandbox.state(books.xero_account.tenant_id)
    org = org["orgs"][books.xero_account.tenant_id] if "orgs" in org else org
    return [record["Details"] for record in org["history"].get(bill_id, []) if record["Changes"] == "Note"]


def _history_calls(books) -> list[dict]:
    return [r for r in books.sandbox.requests(path_prefix="/api.xro/2.0/Invoices/") if r["path"].endswith("/History")]


@pytest.fixture
def numbered(books, linked_vendor):
    order = order_create(vendor=linked_vendor, sales_order_reference="#1042")
    invoice = invoice_create(order=order)
    return invoicing.invoice_vendor_number_set(invoice=invoice, number="FAC-418")


def _synced(books, invoice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        sync_request(invoice=invoice, actor=books.admin)
        drain(xero_account_id=books.xero_account.pk)
    return AccountingSync.objects.get(invoice=invoice)


def test_a_new_bill_gets_one_note_with_the_vendors_number_the_po_and_the_sales_order(
    books, numbered, django_capture_on_commit_callbacks
):
    bill = _synced(
        books, numbered, django_capture_on_commit_callbacks
    )  # the note's drain runs on commit, after the bill

    note = BillNote.objects.get(invoice=numbered)
    expected = f"Onport: Vendor's invoice number FAC-418, purchase order {numbered.order.number}, sales order #1042."
    assert (note.state, note.written, note.bill_id) == (SyncState.SYNCED, expected, bill.xero_id)
    assert _history(books, bill.xero_id) == [expected]
    [call] = _history_calls(books)
    assert call["method"] == "PUT" and call["headers"].get("Idempotency-Key", "").startswith("onport-note-")

    bill_notes_drain(xero_account_id=books.xero_account.pk)  # nothing due: nothing written twice
    assert len(_history(books, bill.xero_id)) == 1


def test_a_corrected_number_writes_a_new_note_and_an_unchanged_one_none(
    books, numbered, django_capture_on_commit_callbacks
):
    bill = _synced(books, numbered, django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        invoicing.invoice_vendor_number_set(invoice=numbered, number="FAC-419")
    with django_capture_on_commit_callbacks(execute=True):
        invoicing.invoice_vendor_number_set(invoice=numbered, number="FAC-419")

    notes = _history(books, bill.xero_id)
    assert len(notes) == 2 and "FAC-419" in notes[-1] and "FAC-418" in notes[0]


def test_an_invoice_without_the_vendors_number_costs_no_call(books, linked_vendor, django_capture_on_commit_callbacks):
    invoice = invoice_create(order=order_create(vendor=linked_vendor))
    _synced(books, invoice, django_capture_on_commit_callbacks)
    assert not BillNote.objects.exists() and _history_calls(books) == []


def test_a_number_set_before_the_bill_waits_for_it(books, numbered, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        sync_request(invoice=numbered, actor=books.admin)  # the bill is pending, not sent
    BillNote.objects.create(
        account=numbered.account, xero_account=books.xero_account, invoice=numbered, details="Onport: waiting."
    )

    bill_notes_drain(xero_account_id=books.xero_account.pk)

    note = BillNote.objects.get(invoice=numbered)
    assert (note.state, note.reason) == (
        SyncState.PENDING,
        "waiting_for_bill",
    ) and note.next_attempt_at > timezone.now()
    assert _history_calls(books) == []


def test_a_lost_answer_leaves_exactly_one_note(books, numbered, django_capture_on_commit_callbacks):
    # given: Xero writes the note, then the connection drops before its answer, every time it is asked
    bill = _synced_without_notes(books, numbered, django_capture_on_commit_callbacks)
    books.sandbox.faults(
        script=["drop_after"] * 6, methods=["PUT"], path_prefix=f"/api.xro/2.0/Invoices/{bill.xero_id}"
    )

    bill_notes_drain(xero_account_id=books.xero_account.pk)
    assert BillNote.objects.get(invoice=numbered).state == SyncState.UNKNOWN

    # when: the back-off has passed and the next drain looks the note up before writing anything
    books.sandbox.faults(clear=True)
    BillNote.objects.update(next_attempt_at=timezone.now())
    bill_notes_drain(xero_account_id=books.xero_account.pk)

    note = BillNote.objects.get(invoice=numbered)
    assert note.state == SyncState.SYNCED and note.reason == "adopted"
    assert len(_history(books, bill.xero_id)) == 1


def _synced_without_notes(books, invoice, django_capture_on_commit_callbacks):
    """The bill in Xero and its note requested, but the note's drain not run yet."""
    with django_capture_on_commit_callbacks(execute=False):
        sync_request(invoice=invoice, actor=books.admin)
    drain(xero_account_id=books.xero_account.pk)
    assert BillNote.objects.get(invoice=invoice).state == SyncState.PENDING
    return AccountingSync.objects.get(invoice=invoice)


def test_a_removed_number_is_said_on_the_bills_history(books, numbered, django_capture_on_commit_callbacks):
    bill = _synced(books, numbered, django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        invoicing.invoice_vendor_number_set(invoice=numbered, number="")

    notes = _history(books, bill.xero_id)
    assert len(notes) == 2 and notes[-1].startswith("Onport: Vendor's invoice number removed, purchase order ")


def test_a_number_changed_back_before_its_note_went_writes_nothing(books, numbered, django_capture_on_commit_callbacks):
    bill = _synced(books, numbered, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=False):  # the correction's note waits: its drain is not run
        invoicing.invoice_vendor_number_set(invoice=numbered, number="FAC-419")
        assert bill_notes_request(invoice_ids=[numbered.pk]) == 1
    assert BillNote.objects.get(invoice=numbered).state == SyncState.PENDING

    with django_capture_on_commit_callbacks(execute=True):
        invoicing.invoice_vendor_number_set(invoice=numbered, number="FAC-418")
    bill_notes_drain(xero_account_id=books.xero_account.pk)

    note = BillNote.objects.get(invoice=numbered)
    assert note.state == SyncState.SYNCED and "FAC-418" in note.details
    assert len(_history(books, bill.xero_id)) == 1  # only the first note, with FAC-418


def test_a_note_for_a_voided_bill_is_cancelled_not_kept_waiting(books, numbered, django_capture_on_commit_callbacks):
    _synced_without_notes(books, numbered, django_capture_on_commit_callbacks)
    AccountingSync.objects.filter(invoice=numbered).update(state=SyncState.CANCELLED)

    bill_notes_drain(xero_account_id=books.xero_account.pk)

    assert BillNote.objects.get(invoice=numbered).state == SyncState.CANCELLED and _history_calls(books) == []


def test_a_bill_changed_since_synced_still_takes_the_note(books, numbered, django_capture_on_commit_callbacks):
    bill = _synced(books, numbered, django_capture_on_commit_callbacks)
    AccountingSync.objects.filter(pk=bill.pk).update(state=SyncState.CHANGED)  # amended in Onport, not sent yet

    with django_capture_on_commit_callbacks(execute=True):
        invoicing.invoice_vendor_number_set(invoice=numbered, number="FAC-420")

    assert "FAC-420" in _history(books, bill.xero_id)[-1]
