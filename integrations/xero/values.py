"""Reading values out of xero-python's models.

The SDK turns a JSON `null` in a string field into the string "None" (its deserializer calls `str(data)`),
and the spec allows null for many of them (`Account.SystemAccount`: "either "" or null"). Every reader of
an SDK string goes through `text()` so "None" and None both read as empty.
"""

from typing import Any


def text(value: Any) -> str:
    """An SDK string (or enum) as plain text; None, "None" and a null enum are ""."""
    value = getattr(value, "value", value)
    if value is None:
        return ""
    value = str(value)
    return "" if value == "None" else value
