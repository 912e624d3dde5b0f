"""The invoice's document (the vendor's file uploaded by finance, the document its bill carries), and its hold
from payout runs."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET, require_POST

from accounting.setup.selectors import accounting_settings_read
from invoicing import selectors, services
from invoicing.documents import invoice_document, invoice_document_upload
from invoicing.errors import InvoicingError
from onport.permissions import account_required


@account_required("finance")
@require_POST
def invoice_document_add(request, invoice_id: int):
    invoice = selectors.invoice_find(account=request.account, invoice_id=invoice_id)
    try:
        document = invoice_document_upload(invoice=invoice, upload=request.FILES.get("document"), actor=request.user)
    except InvoicingError as refused:
        for message in refused.messages:
            messages.error(request, f"{message} Nothing was saved.")
    else:
        goes = (
            "its bill in Xero gets it."
            if accounting_settings_read(account=request.account).attach_documents
            else "Setup › Accounting does not attach documents to bills, so Xero does not get it."
        )
        messages.success(request, f"{document.file_name} is kept with invoice {invoice.number}; {goes}")
    return redirect(invoice)


@account_required("view")
@require_GET
def invoice_document_download(request, invoice_id: int):
    """The document the bill carries: the vendor's file, else Onport's PDF of the invoice."""
    invoice = selectors.invoice_find(account=request.account, invoice_id=invoice_id)
    document = invoice_document(invoice)
    response = HttpResponse(document.content, content_type=document.content_type)
    response["Content-Disposition"] = f'inline; filename="{document.file_name}"'
    return response


@account_required("finance")
@require_POST
def invoice_payout_hold(request, invoice_id: int):
    """Hold the invoice from payout runs (a dispute), or release it (`release`)."""
    invoice = selectors.invoice_find(account=request.account, invoice_id=invoice_id)
    reason = "" if "release" in request.POST else request.POST.get("reason", "")
    if not reason.strip() and "release" not in request.POST:
        messages.error(request, "Say why the invoice is held from payouts (it is kept in its history).")
        return redirect(invoice)
    try:
        invoice = services.invoice_payout_hold_set(invoice=invoice, reason=reason, actor=request.user)
    except InvoicingError as refused:
        for message in refused.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            f"Invoice {invoice.number} is held from payout runs."
            if invoice.payout_hold
            else f"Invoice {invoice.number} is released for payout runs.",
        )
    return redirect(invoice)
