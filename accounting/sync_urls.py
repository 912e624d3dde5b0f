from django.urls import path

from accounting import sync_views

app_name = "sync"

urlpatterns = [
    path("contacts/payments/<int:invoice_id>/sync/", sync_views.invoice_sync, name="invoice_sync"),
    path("contacts/payments/<int:invoice_id>/sync/panel/", sync_views.invoice_sync_panel, name="invoice_panel"),
    path("contacts/payments/sync/", sync_views.invoices_sync, name="invoices_sync"),
    path("contacts/payments/sync/progress/", sync_views.sync_progress, name="progress"),
    path("accounting/sync-log/", sync_views.sync_log, name="log"),
    path("accounting/sync-log/retry/", sync_views.sync_retry_failed, name="retry_failed"),
]
