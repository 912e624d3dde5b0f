from django.urls import path

from invoicing.views import documents, invoices, orders

app_name = "invoicing"

# Included at the site root: Orders at /orders/…, and Contacts > Payments (the vendors'
# purchase invoices) at /contacts/payments/…, as users know them.
urlpatterns = [
    path("orders/", orders.order_list, name="order_list"),
    path("orders/new/", orders.order_create, name="order_create"),
    path("orders/<int:order_id>/", orders.order_detail, name="order_detail"),
    path("orders/<int:order_id>/invoices/new/", orders.order_invoice_create, name="order_invoice_create"),
    path("contacts/payments/", invoices.invoice_list, name="invoice_list"),
    path("contacts/payments/xero-counts/", invoices.invoice_xero_counts, name="invoice_xero_counts"),
    path("contacts/payments/export.csv", invoices.invoice_export, name="invoice_export"),
    path("contacts/payments/<int:invoice_id>/", invoices.invoice_detail, name="invoice_detail"),
    path("contacts/payments/<int:invoice_id>/issue/", invoices.invoice_issue, name="invoice_issue"),
    path("contacts/payments/<int:invoice_id>/lines/", invoices.invoice_edit_lines, name="invoice_edit_lines"),
    path("contacts/payments/<int:invoice_id>/amend/", invoices.invoice_amend, name="invoice_amend"),
    path("contacts/payments/<int:invoice_id>/paid/", invoices.invoice_mark_paid, name="invoice_mark_paid"),
    path("contacts/payments/<int:invoice_id>/void/", invoices.invoice_void, name="invoice_void"),
    path("contacts/payments/<int:invoice_id>/document/", documents.invoice_document_add, name="invoice_document_add"),
    path(
        "contacts/payments/<int:invoice_id>/document.file", documents.invoice_document_download, name="invoice_document"
    ),
    path("contacts/payments/<int:invoice_id>/payout-hold/", documents.invoice_payout_hold, name="invoice_payout_hold"),
    path(
        "contacts/payments/<int:invoice_id>/vendor-number/",
        invoices.invoice_vendor_number,
        name="invoice_vendor_number",
    ),
    path(
        "contacts/payments/<int:invoice_id>/adjustments/",
        invoices.invoice_adjustment_add,
        name="invoice_adjustment_add",
    ),
]
