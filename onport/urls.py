from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from accounting.reconcile.webhook_views import xero_webhook
from onport import views
from onport.forms import EmailAuthenticationForm

urlpatterns = [
    path("", views.home, name="home"),
    # browsers ask for /favicon.ico whatever the page says
    path("favicon.ico", views.favicon),
    path(
        "login/",
        auth_views.LoginView.as_view(template_name="onport/login.html", authentication_form=EmailAuthenticationForm),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/switch/", views.account_switch, name="account_switch"),
    path("account/notifications/", views.notifications, name="notifications"),
    # invoicing first: it holds /orders/… and /contacts/payments/…, before the rest of /contacts/.
    path("", include("accounting.sync.urls")),
    path("", include("invoicing.urls")),
    path("contacts/", include("contacts.urls")),
    path("integrations/", include("integrations.urls")),
    path("setup/payouts/", include("accounting.payouts.urls")),
    path("accounting/reconcile/", include("accounting.reconcile.urls")),
    path("setup/", include("accounting.setup.urls")),
    path("webhooks/xero/", xero_webhook, name="xero_webhook"),
    path("staff/", admin.site.urls),
]
