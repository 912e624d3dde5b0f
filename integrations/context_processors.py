from integrations.models import XeroAccount


def xero_alerts(request) -> dict:
    """Admins see a banner on every page while a Xero account needs reconnecting."""
    membership = getattr(request, "membership", None)
    if membership is None or not membership.can("admin"):
        return {}
    return {"xero_reconnect_needed": list(XeroAccount.objects.for_account(request.account).needing_reconnect())}
