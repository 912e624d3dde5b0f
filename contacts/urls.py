from django.urls import path

from contacts import views

app_name = "contacts"

# Contacts > Payments (the vendors' invoices) lives in invoicing/urls.py under /contacts/payments/.
urlpatterns = [
    path("", views.vendor_list, name="vendor_list"),
    path("new/", views.vendor_create, name="vendor_create"),
    path("<int:vendor_id>/edit/", views.vendor_edit, name="vendor_edit"),
    path("<int:vendor_id>/settings/<slug:tab>/", views.vendor_settings, name="vendor_settings"),
]
