"""The dates Onport takes on orders and invoices: a sensible window, so a typo like 9999 or 0001 is said plainly
instead of reaching Xero (or overflowing a due date)."""

import datetime

from django.utils import timezone

EARLIEST = datetime.date(2000, 1, 1)
AHEAD = datetime.timedelta(days=366)


def date_problem(value: datetime.date, *, what: str) -> str:
    """Why `value` is not a date Onport takes for `what` ("The issue date"), or "" when it is fine."""
    latest = timezone.localdate() + AHEAD
    if value < EARLIEST:
        return f"{what} is before 2000: check the year."
    if value > latest:
        return f"{what} is more than a year ahead (after {latest:%-d %b %Y}): check the year."
    return ""
