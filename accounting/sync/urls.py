from django.urls import path

from accounting.sync import views

app_name = "sync"

urlpatterns = [
    path("contacts/payments/<int:invoice_id>/sync/", views.invoice_sync, name="invoice_sync"),
    path("contacts/payments/<int:invoice_id>/preview-bill/", views.invoice_bill_preview, name="bill_preview"),
    path("contacts/payments/<int:invoice_id>/sync/open-day/", views.invoice_post_on_open_day, name="post_on_open_day"),
    path("contacts/payments/<int:invoice_id>/sync/panel/", views.invoice_sync_panel, name="invoice_panel"),
    path("contacts/payments/sync/", views.invoices_sync, name="invoices_sync"),
    path("contacts/payments/sync/progress/", views.sync_progress, name="progress"),
    path("accounting/sync-log/", views.sync_log, name="log"),
    path("accounting/sync-log/waiting/", views.sync_waiting_count, name="waiting_count"),
    path("accounting/sync-log/export.csv", views.sync_log_export, name="log_export"),
    path("accounting/backfill/", views.backfill_start, name="backfill"),
    path("accounting/sync-log/retry/", views.sync_retry_failed, name="retry_failed"),
]
