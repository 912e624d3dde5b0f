from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from accounting.reconcile.webhook_views import xero_webhook
from onport import health, metrics, views
from onport.forms import EmailAuthenticationForm, PasswordResetEmailForm

urlpatterns = [
    path("", views.home, name="home"),
    # browsers ask for /favicon.ico whatever the page says
    path("favicon.ico", views.favicon),
    # for load balancers and Prometheus: no login, no account (onport/health.py, onport/metrics.py)
    path("healthz", health.healthz, name="healthz"),
    path("metrics", metrics.metrics, name="metrics"),
    path(
        "login/",
        auth_views.LoginView.as_view(template_name="onport/login.html", authentication_form=EmailAuthenticationForm),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Password reset by email (Django's views): the same answer whether or not the email has a user.
    path(
        "password-reset/",
        auth_views.PasswordResetView.as_view(
            template_name="onport/password_reset_form.html",
            form_class=PasswordResetEmailForm,
            subject_template_name="onport/password_reset_subject.txt",
            email_template_name="onport/password_reset_email.txt",
        ),
        name="password_reset",
    ),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="onport/password_reset_done.html"),
        name="password_reset_done",
    ),
    path("password-reset/<uidb64>/<token>/", views.PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path(
        "password-reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(template_name="onport/password_reset_complete.html"),
        name="password_reset_complete",
    ),
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
