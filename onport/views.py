from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from onport.middleware import SESSION_ACCOUNT_KEY
from onport.permissions import account_required


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
