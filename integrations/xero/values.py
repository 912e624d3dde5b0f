"""Reading values out of xero-python's models.

The SDK turns a JSON `null` in a string field into the string "None" (its deserializer calls `str(data)`),
and the spec allows null for many of them (`Account.SystemAccount`: "either "" or null"). Every reader of
an SDK string goes through `text()` so "None" and None both read as empty.
"""

import datetime
import re
from typing import Any

MS_DATE = re.compile(r"^/Date\((-?\d+)([+-]\d{4})?\)/$")


def text(value: Any) -> str:
    """An SDK string (or enum) as plain text; None, "None" and a null enum are ""."""
    value = getattr(value, "value", value)
    if value is None:
        return ""
    value = str(value)
    return "" if value == "None" else value


def xero_date(value: Any) -> datetime.date | None:
    """A date from Xero's JSON: `/Date(1711843200000+0000)/`, or ISO `2024-03-31T00:00:00`; empty is None."""
    value = text(value)
    if not value:
        return None
    match = MS_DATE.match(value)
    if match:
        return datetime.datetime.fromtimestamp(int(match.group(1)) / 1000, tz=datetime.timezone.utc).date()
    return datetime.date.fromisoformat(value[:10])
