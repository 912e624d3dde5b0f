"""View guards: every view names the capability it needs (view, finance or admin)."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render


def account_required(capability: str = "view"):
    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.membership is None:
                return render(request, "onport/no_account.html", status=403)
            if not request.membership.can(capability):
                raise PermissionDenied(f"Your role ({request.membership.get_role_display()}) cannot do this.")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
