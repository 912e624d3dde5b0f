from django.urls import path

from accounting.setup import views

app_name = "accounting"

urlpatterns = [
    path("", views.setup_index, name="setup_index"),
    # Setup > Accounting (admins only)
    path("accounting/", views.setup_accounting, name="setup_accounting"),
    path("accounting/xero-account/", views.setup_accounting_xero_account, name="setup_accounting_xero_account"),
]
