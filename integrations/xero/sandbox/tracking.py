"""Tracking categories: how they are listed, and how a line item's `Tracking` is checked and stored.

A line names each category and option by Name/Option or by TrackingCategoryID/TrackingOptionID (ids win; a name
given beside an id must agree with it). Names match case-insensitively, as Xero's other name look-ups do. At most
two entries, one per category; the category and the option must exist and be ACTIVE. An entry already stored on
the line (same category and option) is kept even if archived since: Xero keeps archived options on existing
documents (whether it re-checks them on an edit is UNCONFIRMED; a new line or a changed entry is always checked).
A line's stored entry carries all four fields, as Xero answers them. The messages are constants so callers'
tests can match them (placeholders: category, option, description, count, category_id, option_id, name).
"""

from __future__ import annotations

from typing import Any

from .accounting import ApiContext
from .seed import MAX_ACTIVE_TRACKING_CATEGORIES

MAX_TRACKING_PER_LINE = MAX_ACTIVE_TRACKING_CATEGORIES
TRACKING_NOT_A_LIST = "Tracking must be a list of tracking categories."
TRACKING_ENTRY_NOT_AN_OBJECT = "Each Tracking entry must be an object."
TRACKING_TOO_MANY = (f"A line item can have at most {MAX_TRACKING_PER_LINE} tracking categories; "
                     "'{description}' has {count}.")
TRACKING_CATEGORY_TWICE = "The TrackingCategory '{category}' is used more than once on '{description}'."
TRACKING_CATEGORY_REQUIRED = "Each Tracking entry must give the TrackingCategory by Name or TrackingCategoryID."
TRACKING_OPTION_REQUIRED = "The Tracking entry for '{category}' must give the option by Option or TrackingOptionID."
TRACKING_CATEGORY_UNKNOWN = "The TrackingCategory '{category}' does not exist."
TRACKING_CATEGORY_ARCHIVED = ("The TrackingCategory '{category}' is archived. "
                              "Archived tracking categories cannot be used on a document.")
TRACKING_OPTION_UNKNOWN = "The TrackingCategory '{category}' does not have an option '{option}'."
TRACKING_OPTION_ARCHIVED = "The TrackingCategory '{category}' does not have an active option '{option}'."
TRACKING_CATEGORY_NAME_MISMATCH = ("The TrackingCategoryID '{category_id}' is the TrackingCategory '{category}', "
                                   "not '{name}'.")
TRACKING_OPTION_NAME_MISMATCH = ("The TrackingOptionID '{option_id}' is the option '{option}' of the TrackingCategory "
                                 "'{category}', not '{name}'.")


def categories_of(ctx: ApiContext) -> dict[str, dict[str, Any]]:
    return ctx.org.get("tracking_categories", {})  # a state file written before tracking existed has none


def render_category(category: dict[str, Any], *, archived_options: bool) -> dict[str, Any]:
    options = [dict(option) for option in category["Options"] if archived_options or option["Status"] == "ACTIVE"]
    return {"TrackingCategoryID": category["TrackingCategoryID"], "Name": category["Name"],
            "Status": category["Status"], "Options": options}


def stored_pairs(line: dict[str, Any] | None) -> set[tuple[str, str]]:
    """(category id, option id) of the entries already on a stored line."""
    return {(entry.get("TrackingCategoryID"), entry.get("TrackingOptionID"))
            for entry in (line or {}).get("Tracking") or [] if isinstance(entry, dict)}


def build_tracking(ctx: ApiContext, raw: Any, kept: set[tuple[str, str]], description: str,
                   messages: list[str]) -> list[dict[str, Any]]:
    if raw is None or raw == []:
        return []
    if not isinstance(raw, list):
        messages.append(TRACKING_NOT_A_LIST)
        return []
    if len(raw) > MAX_TRACKING_PER_LINE:
        messages.append(TRACKING_TOO_MANY.format(description=description, count=len(raw)))
    tracked: list[dict[str, Any]] = []
    for entry in raw:
        resolved = _resolve(ctx, entry, kept, messages)
        if resolved is None:
            continue
        if any(t["TrackingCategoryID"] == resolved["TrackingCategoryID"] for t in tracked):
            messages.append(TRACKING_CATEGORY_TWICE.format(category=resolved["Name"], description=description))
            continue
        tracked.append(resolved)
    return tracked


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _same(stored: str, given: str) -> bool:
    return stored.strip().casefold() == given.casefold()


def _by_name(documents: list[dict[str, Any]], name: str) -> dict[str, Any] | None:
    """The document called `name`, an active one first."""
    matches = [document for document in documents if _same(document["Name"], name)]
    return next((d for d in matches if d["Status"] == "ACTIVE"), matches[0] if matches else None)


def _resolve(ctx: ApiContext, entry: Any, kept: set[tuple[str, str]], messages: list[str]) -> dict[str, Any] | None:
    if not isinstance(entry, dict):
        messages.append(TRACKING_ENTRY_NOT_AN_OBJECT)
        return None
    categories = categories_of(ctx)
    category_id, name = _text(entry.get("TrackingCategoryID")), _text(entry.get("Name"))
    option_id, option_name = _text(entry.get("TrackingOptionID")), _text(entry.get("Option"))
    if not category_id and not name:
        messages.append(TRACKING_CATEGORY_REQUIRED)
        return None
    category = categories.get(category_id.lower()) if category_id else _by_name(list(categories.values()), name)
    if category is None:
        messages.append(TRACKING_CATEGORY_UNKNOWN.format(category=category_id or name))
        return None
    label = category["Name"]
    if category_id and name and not _same(label, name):
        messages.append(TRACKING_CATEGORY_NAME_MISMATCH.format(category_id=category_id, category=label, name=name))
        return None
    if not option_id and not option_name:
        messages.append(TRACKING_OPTION_REQUIRED.format(category=label))
        return None
    options = category["Options"]
    if option_id:
        option = next((o for o in options if o["TrackingOptionID"] == option_id.lower()), None)
    else:
        option = _by_name(options, option_name)
    if option is None:
        messages.append(TRACKING_OPTION_UNKNOWN.format(category=label, option=option_id or option_name))
        return None
    if option_id and option_name and not _same(option["Name"], option_name):
        messages.append(TRACKING_OPTION_NAME_MISMATCH.format(option_id=option_id, option=option["Name"],
                                                             category=label, name=option_name))
        return None
    if (category["TrackingCategoryID"], option["TrackingOptionID"]) not in kept:
        if category["Status"] != "ACTIVE":
            messages.append(TRACKING_CATEGORY_ARCHIVED.format(category=label))
            return None
        if option["Status"] != "ACTIVE":
            messages.append(TRACKING_OPTION_ARCHIVED.format(category=label, option=option["Name"]))
            return None
    return {"Name": label, "Option": option["Name"], "TrackingCategoryID": category["TrackingCategoryID"],
            "TrackingOptionID": option["TrackingOptionID"]}
