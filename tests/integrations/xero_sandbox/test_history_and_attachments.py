"""Invoice history notes and attachments."""

from __future__ import annotations

from xero_python.accounting import HistoryRecord, HistoryRecords

from .builders import bill, bills


def test_history_records_include_system_events_and_notes(xero, uk, acme):
    invoice = xero.accounting.create_invoices(uk, bills(bill(acme)), summarize_errors=False).invoices[0]

    note = HistoryRecords(history_records=[HistoryRecord(details="Synced from Onport")])
    added = xero.accounting.create_invoice_history(uk, invoice.invoice_id, note)
    records = xero.accounting.get_invoice_history(uk, invoice.invoice_id).history_records

    assert added.history_records[0].details == "Synced from Onport" and added.history_records[0].user == "Onport"
    assert [r.changes for r in records] == ["Note", "Approved", "Created"]
    assert records[0].date_utc is not None


def test_attachment_upload_and_listing(xero, uk, acme):
    invoice = xero.accounting.create_invoices(uk, bills(bill(acme)), summarize_errors=False).invoices[0]
    pdf = b"%PDF-1.4\n% supplier invoice\n"

    api = xero.accounting
    uploaded = api.create_invoice_attachment_by_file_name(
        uk, invoice.invoice_id, "supplier-invoice.pdf", pdf, include_online=False
    )
    listed = xero.accounting.get_invoice_attachments(uk, invoice.invoice_id).attachments

    attachment = uploaded.attachments[0]
    assert (attachment.file_name, attachment.mime_type) == ("supplier-invoice.pdf", "application/pdf")
    assert attachment.content_length == len(pdf)
    assert [a.attachment_id for a in listed] == [attachment.attachment_id]
    assert xero.accounting.get_invoice(uk, invoice.invoice_id).invoices[0].has_attachments is True


def test_attachment_content_is_stored(xero_sandbox, xero, uk, acme):
    invoice = xero.accounting.create_invoices(uk, bills(bill(acme)), summarize_errors=False).invoices[0]
    xero.accounting.create_invoice_attachment_by_file_name(uk, invoice.invoice_id, "note.txt", b"hello")

    status, body, headers = xero_sandbox.http(
        "GET",
        f"/api.xro/2.0/Invoices/{invoice.invoice_id}/Attachments/note.txt",
        headers={"Authorization": f"Bearer {xero.token['access_token']}", "xero-tenant-id": uk},
    )

    assert status == 200 and body == "hello" and headers["Content-Type"].startswith("text/plain")
