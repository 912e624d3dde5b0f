from django.urls import path

from accounting.payouts import views

app_name = "payouts"

urlpatterns = [
    path("", views.payout_setup, name="setup"),
    path("runs/", views.run_list, name="run_list"),
    path("runs/export.csv", views.runs_export, name="runs_export"),
    path("runs/new/", views.run_create, name="run_create"),
    path("runs/<int:run_id>/", views.run_detail, name="run_detail"),
    path("runs/<int:run_id>/approve/", views.run_approve, name="run_approve"),
    path("runs/<int:run_id>/sent/", views.run_mark_sent, name="run_mark_sent"),
    path("runs/<int:run_id>/cancel/", views.run_cancel, name="run_cancel"),
    path("runs/<int:run_id>/retry-payments/", views.run_retry_payments, name="run_retry_payments"),
    path("runs/<int:run_id>/lines/<int:line_id>/failed/", views.line_mark_failed, name="line_mark_failed"),
    path("runs/<int:run_id>/files/<int:file_id>/", views.file_download, name="file_download"),
    path("vendors/<int:vendor_id>/", views.vendor_history, name="vendor_history"),
    path("vendors/<int:vendor_id>/bank/", views.vendor_bank, name="vendor_bank"),
]
