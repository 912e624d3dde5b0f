from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.views.decorators.http import require_GET
from django.views.decorators.http import require_http_methods, require_POST

from onport.forms import NotificationsForm
from onport.lockout import user_lockout_clear
from onport.middleware import SESSION_ACCOUNT_KEY
from onport.permissions import account_required
from onport.services import membership_notifications_set


@require_GET
def favicon(request):
    """Browsers ask for /favicon.ico whatever the page links: send them to the icon (its hashed name when deployed)."""
    return redirect(static("favicon.svg"), permanent=True)


@account_required()
def home(request):
    return redirect("invoicing:order_list")


@login_required
@require_POST
def account_switch(request):
    """Switch the acting account to another one the user is a member of (404 otherwise)."""
    try:
        account_id = int(request.POST.get("account", ""))
    except ValueError:
        raise Http404("No such account.")
    if account_id not in {membership.account_id for membership in request.memberships}:
        raise Http404("No such account.")
    request.session[SESSION_ACCOUNT_KEY] = account_id
    return redirect("home")


@account_required()
@require_http_methods(["GET", "POST"])
def notifications(request):
    """The emails this member gets about the current account (admins and finance; viewers get none)."""
    membership = request.membership
    form = NotificationsForm(
        request.POST if request.method == "POST" else None,
        initial={  # both unticked: empty POST
            "sync_stops": membership.email_sync_stops,
            "daily_digest": membership.email_daily_digest,
        },
    )
    if request.method == "POST" and form.is_valid():
        membership_notifications_set(
            membership=membership,
            sync_stops=form.cleaned_data["sync_stops"],
            daily_digest=form.cleaned_data["daily_digest"],
        )
        messages.success(request, f"Your notifications for {request.account.name} are saved.")
        return redirect("notifications")
    return render(request, "onport/notifications.html", {"form": form, "gets_email": membership.can("finance")})


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's own view; the new password also lifts a login lockout (the person has shown they own the email)."""

    template_name = "onport/password_reset_confirm.html"

    def form_valid(self, form):
        response = super().form_valid(form)
        user_lockout_clear(user=form.user)
        return response
