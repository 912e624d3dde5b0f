SESSION_ACCOUNT_KEY = "account_id"


def _membership_for(request):
    """The acting membership: the account chosen in the session, else the user's first one."""
    user = request.user
    if not user.is_authenticated:
        return None
    memberships = list(user.memberships.select_related("account"))
    request.memberships = memberships
    chosen = request.session.get(SESSION_ACCOUNT_KEY)
    for membership in memberships:
        if membership.account_id == chosen:
            return membership
    return memberships[0] if memberships else None


class CurrentAccountMiddleware:
    """Sets `request.membership` and `request.account` (None when the user has no account)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.memberships = []
        membership = _membership_for(request)
        request.membership = membership
        request.account = membership.account if membership else None
        return self.get_response(request)
