from django.shortcuts import render
from django.views.decorators.http import require_GET

from onport.permissions import account_required

# The integrations Onport offers; each has its management pages (admins only).
AVAILABLE = [
    {
        "slug": "xero",
        "name": "Xero",
        "description": "Exports your dropship and replenishment purchase invoices to Xero as bills to pay.",
        "manage_url": "integrations:xero_account_list",  # Integrations > Xero, for admins
    },
]


@account_required("view")
@require_GET
def integration_list(request):
    return render(request, "integrations/integration_list.html", {"integrations": AVAILABLE})
