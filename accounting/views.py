from django.shortcuts import render
from django.views.decorators.http import require_GET

from onport.permissions import account_required


@account_required("admin")
@require_GET
def setup_index(request):
    """Setup: the account (name, plan) and its team. Accounting settings come later."""
    # Scoped through the acting account's own relation: only its members are listed.
    team = request.account.memberships.select_related("user").order_by("user__email")
    return render(request, "accounting/setup_index.html", {"account": request.account, "team": team})
