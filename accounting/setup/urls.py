from django.urls import path

from accounting.setup import views

app_name = "accounting"

urlpatterns = [
    path("", views.setup_index, name="setup_index"),
    # Setup > Accounting (admins only)
    path("accounting/", views.setup_accounting, name="setup_accounting"),
]
