"""The purchase invoice as a document: the vendor's own file when finance uploaded one (PDF, PNG or JPEG, checked
by its content, at most 10 MB — Xero's limit for an attachment), else a PDF Onport renders with fpdf2 (pure
Python, no system libraries, well kept). The same invoice renders to the same bytes (its date is fixed), so a
document resent after a lost answer is byte for byte what was sent before."""

import hashlib
from dataclasses import dataclass

from django.db import transaction
from fpdf import FPDF

from invoicing.errors import InvoicingError
from invoicing.models import InvoiceDocument, InvoiceEvent, InvoiceStatus, LineKind, PurchaseInvoice
from onport import events

MAX_BYTES = 10 * 1024 * 1024
SIGNATURES = (
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
)


@dataclass(frozen=True)
class Document:
    file_name: str
    content_type: str
    content: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def invoice_document(invoice: PurchaseInvoice) -> Document:
    """What the bill carries: the uploaded file under the invoice's number, else Onport's PDF."""
    uploaded = InvoiceDocument.objects.filter(invoice=invoice).first()
    if uploaded is not None:
        extension = next(ext for _, kind, ext in SIGNATURES if kind == uploaded.content_type)
        return Document(f"{invoice.number}{extension}", uploaded.content_type, bytes(uploaded.content))
    return Document(f"{invoice.number}.pdf", "application/pdf", invoice_pdf(invoice))


def invoice_document_upload(*, invoice: PurchaseInvoice, upload, actor=None) -> InvoiceDocument:
    """Keep the vendor's file of the invoice (replacing an earlier one); its bill in Xero gets it."""
    if invoice.status == InvoiceStatus.VOID:
        raise InvoicingError(f"Invoice {invoice.number} is void: no file is added to it.")
    if upload is None:
        raise InvoicingError("Choose the vendor's invoice file (PDF, PNG or JPEG) first.")
    if upload.size > MAX_BYTES:
        raise InvoicingError(f"The file is {upload.size / 1024 / 1024:.1f} MB; Xero takes files up to 10 MB.")
    content = upload.read()
    kind = next((kind for signature, kind, _ in SIGNATURES if content.startswith(signature)), None)
    if kind is None or not content:
        raise InvoicingError("Upload a PDF, PNG or JPEG file: this one is none of them, whatever its name says.")
    name = " ".join((upload.name or "invoice").split())[:200]
    with transaction.atomic():
        document, _ = InvoiceDocument.objects.update_or_create(
            invoice=invoice,
            defaults={
                "account": invoice.account,
                "file_name": name,
                "content_type": kind,
                "content": content,
                "size": len(content),
                "sha256": hashlib.sha256(content).hexdigest(),
                "uploaded_by": actor,
            },
        )
        InvoiceEvent.objects.create(
            account=invoice.account,
            invoice=invoice,
            actor=actor,
            action="document",
            message=f"Vendor's invoice file {name} uploaded.",
            details={"size": len(content)},
        )
        events.publish_on_commit(events.DocumentUploaded(invoice_id=invoice.pk))
    return document


def _latin(text: str) -> str:
    """fpdf2's core fonts speak Latin-1: anything else shows as "?" (no font file to ship or find)."""
    return str(text).encode("latin-1", "replace").decode("latin-1")


def invoice_pdf(invoice: PurchaseInvoice) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_creation_date(invoice.issued_at or invoice.created_at)
    pdf.set_title(_latin(f"Invoice {invoice.number}"))
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(0, 10, _latin(f"Invoice {invoice.number}"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=10)
    facts = [
        ("Vendor", invoice.vendor.name),
        ("Vendor's invoice number", invoice.vendor_invoice_number or "-"),
        ("Purchase order", invoice.order.number),
        ("Issue date", f"{invoice.issue_date:%d %b %Y}"),
        ("Due date", f"{invoice.due_date:%d %b %Y}"),
        ("Currency", invoice.currency),
    ]
    if invoice.order.sales_order_reference:
        facts.append(("Customer's sales order", invoice.order.sales_order_reference))
    for label, value in facts:
        pdf.cell(50, 6, _latin(label))
        pdf.cell(0, 6, _latin(value), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    widths = (28, 70, 16, 26, 18, 32)
    pdf.set_font("Helvetica", "B", 9)
    for width, title in zip(widths, ("SKU", "Description", "Qty", "Unit cost", "Tax %", "Net")):
        pdf.cell(width, 7, title, border="B")
    pdf.ln()
    pdf.set_font("Helvetica", size=9)
    for line in invoice.lines.all():
        shipping = line.kind == LineKind.SHIPPING
        row = (
            "" if shipping else line.sku,
            "Shipping" if shipping else line.description,
            str(line.quantity),
            f"{line.unit_cost:.2f}",
            f"{line.tax_rate.normalize()}",
            f"{line.net_amount:.2f}",
        )
        for width, value in zip(widths, row):
            pdf.cell(width, 6, _latin(value)[:60])
        pdf.ln()
    pdf.ln(2)
    pdf.set_font("Helvetica", "B", 10)
    for label, amount in (
        ("Subtotal", invoice.subtotal),
        ("Tax", invoice.tax_total),
        (f"Total {invoice.currency}", invoice.total),
    ):
        pdf.cell(sum(widths[:-1]), 6, _latin(label), align="R")
        pdf.cell(widths[-1], 6, f"{amount:.2f}", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
