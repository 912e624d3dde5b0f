from django.urls import path

from contacts import views
from contacts import xero_views as xero

app_name = "contacts"

# Contacts > Payments (the vendors' invoices) lives in invoicing/urls.py under /contacts/payments/.
urlpatterns = [
    path("", views.vendor_list, name="vendor_list"),
    path("new/", views.vendor_create, name="vendor_create"),
    path("<int:vendor_id>/edit/", views.vendor_edit, name="vendor_edit"),
    path("<int:vendor_id>/settings/<slug:tab>/", views.vendor_settings, name="vendor_settings"),
    # The vendor's Xero contact (on the Tax tab / the contact edit page): contacts/xero_views.py.
    path("<int:vendor_id>/xero/search/", xero.vendor_xero_search, name="vendor_xero_search"),
    path("<int:vendor_id>/xero/link/", xero.vendor_xero_link, name="vendor_xero_link"),
    path("<int:vendor_id>/xero/unlink/", xero.vendor_xero_unlink, name="vendor_xero_unlink"),
    path("<int:vendor_id>/xero/create/", xero.vendor_xero_create, name="vendor_xero_create"),
    path("<int:vendor_id>/xero/overrides/", xero.vendor_xero_overrides, name="vendor_xero_overrides"),
    path("xero/auto-match/", xero.vendor_xero_auto_match, name="vendor_xero_auto_match"),
]
