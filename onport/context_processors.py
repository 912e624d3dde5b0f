def current_account(request) -> dict:
    membership = getattr(request, "membership", None)
    return {
        "current_account": getattr(request, "account", None),
        "current_membership": membership,
        "user_memberships": getattr(request, "memberships", []),
        "can_finance": bool(membership and membership.can("finance")),
        "can_admin": bool(membership and membership.can("admin")),
    }
