"""The invoice's document on its bill in Xero: Onport's PDF or the vendor's own file, attached exactly once through
the outbox (a lost answer is looked up, not resent), behind the bills, and only with the attachments scope."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounting.outbox.models import Reason
from accounting.sync.documents import SCOPE_MESSAGE, bill_documents_drain
from accounting.sync.models import AccountingSync, BillDocument, SyncState
from accounting.sync.outbox import drain
from accounting.sync.services import sync_request
from integrations.models import XeroAccount
from invoicing.documents import MAX_BYTES, invoice_document_upload, invoice_pdf
from invoicing.errors import InvoicingError
from tests.factories import VendorFactory, invoice_create, order_create

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def invoice(books, linked_vendor):
    books.settings.attach_documents = True  # off unless Setup > Accounting switches it on (a call per bill)
    books.settings.save()
    return invoice_create(order=order_create(vendor=linked_vendor, lines=[(2, "12.50")]))


def _attachments(books, bill_id: str) -> list[dict]:
    state = books.sandbox.state(books.xero_account.tenant_id)
    org = state["orgs"][books.xero_account.tenant_id] if "orgs" in state else state
    return org["attachments"].get(bill_id, [])


def _synced(books, invoice, django_capture_on_commit_callbacks) -> AccountingSync:
    """The bill in Xero, its document requested but not sent yet."""
    with django_capture_on_commit_callbacks(execute=False):
        sync_request(invoice=invoice, actor=books.admin)
    drain(xero_account_id=books.xero_account.pk)
    assert BillDocument.objects.get(invoice=invoice).state == SyncState.PENDING
    return AccountingSync.objects.get(invoice=invoice)


def test_the_bill_gets_onports_pdf_of_the_invoice(books, invoice, django_capture_on_commit_callbacks):
    bill = _synced(books, invoice, django_capture_on_commit_callbacks)

    bill_documents_drain(xero_account_id=books.xero_account.pk)

    [attachment] = _attachments(books, bill.xero_id)
    assert attachment["FileName"] == f"{invoice.number}.pdf" and attachment["MimeType"] == "application/pdf"
    assert attachment["ContentLength"] == len(invoice_pdf(invoice)) > 500
    assert invoice_pdf(invoice) == invoice_pdf(invoice)  # the same bytes each time: a resend is a replay
    assert BillDocument.objects.get(invoice=invoice).state == SyncState.SYNCED


def test_a_lost_answer_leaves_exactly_one_attachment(books, invoice, django_capture_on_commit_callbacks):
    bill = _synced(books, invoice, django_capture_on_commit_callbacks)
    books.sandbox.faults(
        script=["drop_after"] * 6,
        methods=["PUT", "POST"],
        path_prefix=f"/api.xro/2.0/Invoices/{bill.xero_id}/Attachments",
    )

    bill_documents_drain(xero_account_id=books.xero_account.pk)
    assert BillDocument.objects.get(invoice=invoice).state == SyncState.UNKNOWN
    assert len(_attachments(books, bill.xero_id)) == 1  # Xero did attach it; the answer was lost

    books.sandbox.faults(clear=True)
    BillDocument.objects.update(next_attempt_at=timezone.now())
    bill_documents_drain(xero_account_id=books.xero_account.pk)

    row = BillDocument.objects.get(invoice=invoice)
    assert row.state == SyncState.SYNCED and row.reason == Reason.ADOPTED
    assert len(_attachments(books, bill.xero_id)) == 1


def test_the_vendors_file_replaces_a_file_of_the_same_name_and_a_new_kind_goes_beside(
    books, invoice, django_capture_on_commit_callbacks
):
    bill = _synced(books, invoice, django_capture_on_commit_callbacks)
    bill_documents_drain(xero_account_id=books.xero_account.pk)
    vendor_pdf = b"%PDF-1.4 the vendor's own invoice"

    with django_capture_on_commit_callbacks(execute=True):
        invoice_document_upload(invoice=invoice, upload=SimpleUploadedFile("FAC-1.pdf", vendor_pdf))
    [attachment] = _attachments(books, bill.xero_id)
    assert attachment["FileName"] == f"{invoice.number}.pdf" and attachment["ContentLength"] == len(vendor_pdf)

    with django_capture_on_commit_callbacks(execute=True):
        invoice_document_upload(invoice=invoice, upload=SimpleUploadedFile("scan.png", PNG))
    names = sorted(a["FileName"] for a in _attachments(books, bill.xero_id))
    assert names == [f"{invoice.number}.pdf", f"{invoice.number}.png"]  # Xero's API cannot remove the first


def test_uploads_are_checked_by_content_and_size(invoice):
    with pytest.raises(InvoicingError, match="PDF, PNG or JPEG"):
        invoice_document_upload(invoice=invoice, upload=SimpleUploadedFile("invoice.pdf", b"MZ not a pdf at all"))
    big = SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * MAX_BYTES)
    with pytest.raises(InvoicingError, match="Xero takes files up to 10 MB"):
        invoice_document_upload(invoice=invoice, upload=big)
    assert not hasattr(invoice, "document") or invoice.document is None


def test_no_document_when_setup_does_not_attach_them(books, invoice, django_capture_on_commit_callbacks):
    books.settings.attach_documents = False
    books.settings.save()
    with django_capture_on_commit_callbacks(execute=True):
        sync_request(invoice=invoice, actor=books.admin)
    drain(xero_account_id=books.xero_account.pk)
    assert AccountingSync.objects.get(invoice=invoice).state == SyncState.SYNCED
    assert not BillDocument.objects.exists()


def test_a_grant_without_attachments_pauses_documents_and_says_reconnect(
    books, invoice, django_capture_on_commit_callbacks
):
    bill = _synced(books, invoice, django_capture_on_commit_callbacks)
    XeroAccount.objects.filter(pk=books.xero_account.pk).update(
        scopes=[s for s in books.xero_account.scopes if s != "accounting.attachments"]
    )

    bill_documents_drain(xero_account_id=books.xero_account.pk)

    row = BillDocument.objects.get(invoice=invoice)
    assert row.state == SyncState.PAUSED and row.last_error == SCOPE_MESSAGE
    assert _attachments(books, bill.xero_id) == []


def test_finance_uploads_in_the_page_and_anyone_opens_the_document(
    books, invoice, finance_client, viewer_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = finance_client.post(
            reverse("invoicing:invoice_document_add", args=[invoice.pk]),
            {"document": SimpleUploadedFile("scan.png", PNG)},
            follow=True,
        )
    assert "is kept with invoice" in response.content.decode()
    assert "its bill in Xero gets it." in response.content.decode()
    page = viewer_client.get(invoice.get_absolute_url()).content.decode()
    assert "The vendor's file scan.png (72" in page and "Upload the vendor" not in page
    download = viewer_client.get(reverse("invoicing:invoice_document", args=[invoice.pk]))
    assert download["Content-Type"] == "image/png" and download.content == PNG
    assert (
        viewer_client.post(
            reverse("invoicing:invoice_document_add", args=[invoice.pk]), {"document": io.BytesIO(PNG)}
        ).status_code
        == 403
    )
    refused = finance_client.post(
        reverse("invoicing:invoice_document_add", args=[invoice.pk]),
        {"document": SimpleUploadedFile("x.pdf", b"plain text")},
        follow=True,
    )
    assert "Upload a PDF, PNG or JPEG file" in refused.content.decode()


@pytest.mark.parametrize("name", ["invoice_document_add", "invoice_document"])
def test_another_accounts_invoice_document_answers_404(finance_client, other_account, name):
    foreign = invoice_create(order=order_create(vendor=VendorFactory(account=other_account)))
    url = reverse(f"invoicing:{name}", args=[foreign.pk])
    response = (
        finance_client.post(url, {"document": io.BytesIO(PNG)}) if name.endswith("add") else finance_client.get(url)
    )
    assert response.status_code == 404


def test_an_upload_says_so_when_setup_does_not_attach_documents(books, invoice, finance_client):
    books.settings.attach_documents = False
    books.settings.save()
    response = finance_client.post(
        reverse("invoicing:invoice_document_add", args=[invoice.pk]),
        {"document": SimpleUploadedFile("scan.png", PNG)},
        follow=True,
    )
    assert "does not attach documents to bills, so Xero does not get it." in response.content.decode()
    assert not BillDocument.objects.exists()
