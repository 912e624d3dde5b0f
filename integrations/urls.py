from django.urls import path

from integrations import contact_views, views, xero_views

app_name = "integrations"

urlpatterns = [
    path("", views.integration_list, name="integration_list"),
    # Integrations > Xero (admins only): the Xero accounts of the acting account.
    path("xero/", xero_views.xero_account_list, name="xero_account_list"),
    path("xero/new/", xero_views.xero_account_create, name="xero_account_create"),
    path("xero/callback/", xero_views.xero_callback, name="xero_callback"),
    path("xero/<int:pk>/", xero_views.xero_account_detail, name="xero_account_detail"),
    path("xero/<int:pk>/rename/", xero_views.xero_account_rename, name="xero_account_rename"),
    path("xero/<int:pk>/remove/", xero_views.xero_account_remove, name="xero_account_remove"),
    path("xero/<int:pk>/status/", xero_views.xero_account_status, name="xero_account_status"),
    path("xero/<int:pk>/connect/", xero_views.xero_connect, name="xero_connect"),
    path("xero/<int:pk>/tenant/", xero_views.xero_choose_tenant, name="xero_choose_tenant"),
    path("xero/<int:pk>/disconnect/", xero_views.xero_disconnect, name="xero_disconnect"),
    # The organisation's contacts, imported for mapping vendors (admins refresh them).
    path("xero/<int:pk>/contacts/refresh/", contact_views.xero_contacts_refresh, name="xero_contacts_refresh"),
    path("xero/<int:pk>/contacts/status/", contact_views.xero_contacts_status, name="xero_contacts_status"),
]
