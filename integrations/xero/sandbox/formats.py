"""Conversions between the sandbox's Python values and Xero's JSON wire format.

The store keeps documents as dicts with Xero's PascalCase keys and Python values (`Decimal`,
`date`, `datetime`, `bytes`). `to_wire` turns them into what Xero sends (numbers, `/Date(ms+0000)/`
strings); keys starting with "_" are sandbox bookkeeping and never leave the server.
"""

from __future__ import annotations

import email.utils
import re
from datetime import date, datetime, time, timezone
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

MS_DATE_RE = re.compile(r"^/Date\((?P<ms>-?\d+)(?P<offset>[+-]\d{4})?\)/$")
ISO_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
CENT = Decimal("0.01")
FOUR_PLACES = Decimal("0.0001")


def utc_now() -> datetime:
    """Now in UTC, truncated to milliseconds so it round-trips through `/Date(ms)/` unchanged."""
    now = datetime.now(timezone.utc)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def ms_date(value: date | datetime) -> str:
    """`/Date(<ms>+0000)/` for a date (midnight UTC) or an aware/naive-UTC datetime."""
    if not isinstance(value, datetime):
        value = datetime.combine(value, time(), tzinfo=timezone.utc)
    elif value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    milliseconds = int(value.timestamp() * 1000)
    return f"/Date({milliseconds}+0000)/"


def parse_datetime(value: Any) -> datetime:
    """Accepts `/Date(ms)/`, `/Date(ms+0000)/`, `YYYY-MM-DD` and ISO date-times; returns aware UTC."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    if isinstance(value, date):
        return datetime.combine(value, time(), tzinfo=timezone.utc)
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not a date")
    text = value.strip()
    match = MS_DATE_RE.match(text)
    if match:
        return datetime.fromtimestamp(int(match["ms"]) / 1000, tz=timezone.utc)
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)


def parse_date(value: Any) -> date:
    """A request date in any format Xero accepts; date-times keep their (UTC) calendar day."""
    if isinstance(value, str) and ISO_DATE_RE.match(value.strip()):
        return date.fromisoformat(value.strip())
    return parse_datetime(value).date()


def parse_http_datetime(value: str) -> datetime:
    """An `If-Modified-Since` value: ISO 8601 (what xero-python sends) or RFC 1123."""
    try:
        return parse_datetime(value)
    except ValueError:
        parsed = email.utils.parsedate_to_datetime(value)
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def parse_decimal(value: Any) -> Decimal:
    if isinstance(value, bool) or value is None:
        raise ValueError(f"{value!r} is not a number")
    try:
        number = Decimal(str(value))
    except InvalidOperation as error:
        raise ValueError(f"{value!r} is not a number") from error
    if not number.is_finite():
        raise ValueError(f"{value!r} is not a number")
    return number


def round_money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def round_places(value: Decimal, places: Decimal) -> Decimal:
    return value.quantize(places, rounding=ROUND_HALF_UP)


def parse_bool(value: str | None, default: bool = False) -> bool:
    """Query-string booleans: xero-python sends `True`/`False`, others send `true`/`false`."""
    if value is None or value == "":
        return default
    return value.strip().lower() in {"true", "1", "yes"}


# Optional strings Xero answers as JSON null; the spec allows it ("non-system accounts may have this element
# set as either "" or null").
NULL_STRINGS = frozenset({"SystemAccount"})


def to_wire(value: Any) -> Any:
    """Python store values → Xero JSON values (Decimal → number, dates → `/Date(ms+0000)/`).

    Empty (None) fields are left out, as Xero does (xero-python cannot read `null` dates), except the
    strings Xero does answer `null` for (NULL_STRINGS), which xero-python reads as the string "None".
    """
    if isinstance(value, dict):
        return {key: to_wire(item) for key, item in value.items()
                if not key.startswith("_") and (item is not None or key in NULL_STRINGS)}
    if isinstance(value, (list, tuple)):
        return [to_wire(item) for item in value]
    if isinstance(value, Decimal):
        # float's repr is the shortest round-trip form, so 12.35 stays "12.35" on the wire.
        return float(value)
    if isinstance(value, (date, datetime)):
        return ms_date(value)
    return value


def to_debug(value: Any) -> Any:
    """Store values → plain JSON for /_sandbox/state: exact decimals as strings, ISO dates."""
    if isinstance(value, dict):
        return {key: to_debug(item) for key, item in value.items() if key != "_content"}
    if isinstance(value, (list, tuple)):
        return [to_debug(item) for item in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    return value


def format_lock_date(value: date) -> str:
    return value.strftime("%d/%m/%Y")
