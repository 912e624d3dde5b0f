from django.urls import path

from accounting.reconcile import views

app_name = "reconcile"

urlpatterns = [
    path("", views.reconcile_index, name="index"),
    path("<int:xero_account_id>/", views.reconcile_page, name="page"),
    path("<int:xero_account_id>/runs/<int:reconciliation_id>/status/", views.reconcile_status, name="status"),
    path("<int:xero_account_id>/runs/<int:reconciliation_id>/csv/", views.reconcile_csv, name="csv"),
]
