from django.urls import path

from accounting.setup import tracking_views, views
from accounting.setup.categories import views as category_views
from accounting.setup.currencies import views as currency_views

app_name = "accounting"

urlpatterns = [
    path("", views.setup_index, name="setup_index"),
    # Setup > Accounting (admins only)
    path("accounting/", views.setup_accounting, name="setup_accounting"),
    path("accounting/tracking/", tracking_views.setup_tracking, name="setup_tracking"),
    # Setup > Accounting › Currencies
    path("accounting/currencies/", currency_views.setup_currencies, name="setup_currencies"),
    path("accounting/currencies/source/", currency_views.setup_currency_source, name="setup_currency_source"),
    path("accounting/currencies/rates/", currency_views.setup_exchange_rate_create, name="setup_exchange_rate_create"),
    path(
        "accounting/currencies/rates/<int:rate_id>/delete/",
        currency_views.setup_exchange_rate_delete,
        name="setup_exchange_rate_delete",
    ),
    # Setup > Accounting › Product categories
    path("accounting/categories/", category_views.setup_categories, name="setup_categories"),
    path("accounting/categories/new/", category_views.setup_category_create, name="setup_category_create"),
    path("accounting/categories/skus/", category_views.setup_category_skus, name="setup_category_skus"),
    path("accounting/categories/codes/", category_views.setup_category_codes, name="setup_category_codes"),
    path(
        "accounting/categories/<int:category_id>/rename/",
        category_views.setup_category_rename,
        name="setup_category_rename",
    ),
    path(
        "accounting/categories/<int:category_id>/delete/",
        category_views.setup_category_delete,
        name="setup_category_delete",
    ),
    path(
        "accounting/tracking/<int:rule_id>/delete/",
        tracking_views.setup_tracking_rule_delete,
        name="setup_tracking_rule_delete",
    ),
]
