"""Pagination that never counts: by page number (OFFSET) for short lists, by key for long ones.

Django's Paginator runs a COUNT over everything that matches before it fetches a page; with
100,000 invoices in an account (and a search on part of a number) that count is the slow query.
Here a page is one query: it fetches one row more than the page holds, which says whether there
is a next page. The page shows "Previous / Next", not "page 3 of 2,000".
"""

from dataclasses import dataclass, replace

from django.core import signing
from django.core.exceptions import ValidationError
from django.db.models import F, QuerySet

# Django's own row comparisons (written for composite primary keys): "(a, b) < (x, y)" on PostgreSQL and
# SQLite alike. Not yet in Django's documented API, so they are imported here alone.
from django.db.models.fields.tuple_lookups import TupleGreaterThan, TupleLessThan

MAX_PAGE = 100_000  # far beyond any real list; keeps the OFFSET a sane number


class Rows:
    """What templates use of a page whichever way it was found: its rows, and whether it has neighbours."""

    object_list: list
    has_next: bool
    has_previous: bool

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    @property
    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next


@dataclass(frozen=True)
class Page(Rows):
    object_list: list
    number: int
    per_page: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1

    def start_index(self) -> int:
        return (self.number - 1) * self.per_page + 1 if self.object_list else 0

    def end_index(self) -> int:
        return (self.number - 1) * self.per_page + len(self.object_list)


def page_number(raw: str | None) -> int:
    try:
        number = int(raw or 1)
    except ValueError:
        return 1
    return min(max(number, 1), MAX_PAGE)


def paginate(queryset: QuerySet, *, page: str | None, per_page: int) -> Page:
    """One query: the rows of the page (plus one, to know whether a next page exists)."""
    number = page_number(page)
    offset = (number - 1) * per_page
    rows = list(queryset[offset : offset + per_page + 1])
    return Page(object_list=rows[:per_page], number=number, per_page=per_page, has_next=len(rows) > per_page)


# Keyset ("seek") paging. A page after another starts where the other ended: the link carries the key of its
# last row (its position in the list's order) and the query asks for the rows after that key, through the
# index on the same order, so page 2,000 costs what page 1 costs. OFFSET would read and drop every row before.


@dataclass(frozen=True)
class Keyset:
    """A list's order: fields in one direction, the last one unique (the tie-break, usually id).

    `name` goes into the cursor, so a link made for one order is never read as a position in another."""

    name: str
    fields: tuple[str, ...]
    descending: bool = True

    def order_by(self, *, backwards: bool = False) -> list[str]:
        descending = self.descending != backwards
        return [f"-{field}" if descending else field for field in self.fields]


class CursorRefused(ValueError):
    """A page link whose cursor cannot be read: tampered with, cut short, or signed with an old key."""


CURSOR_SALT = "onport.pagination.keyset"
MAX_CURSOR_LENGTH = 400


def _signer() -> signing.Signer:
    # Signed, so a link cannot be edited into a position the list never showed; no timestamp, so the same
    # page always has the same address.
    return signing.Signer(salt=CURSOR_SALT)


def cursor_make(keyset: Keyset, row) -> str:
    values = [row._meta.get_field(field).value_to_string(row) for field in keyset.fields]
    return _signer().sign_object([keyset.name, values])


def cursor_read(keyset: Keyset, model, raw: str) -> tuple:
    """The key a cursor holds, each value of its field's type; CursorRefused if it is not one of ours."""
    if len(raw) > MAX_CURSOR_LENGTH:
        raise CursorRefused("too long")
    try:
        name, values = _signer().unsign_object(raw)
    except (signing.BadSignature, ValueError, TypeError) as error:
        raise CursorRefused("not signed by us") from error
    if name != keyset.name or not isinstance(values, list) or len(values) != len(keyset.fields):
        raise CursorRefused("made for another order")
    try:
        key = tuple(model._meta.get_field(field).to_python(value) for field, value in zip(keyset.fields, values))
    except ValidationError as error:
        raise CursorRefused("a value of the wrong type") from error
    if any(value is None for value in key):
        raise CursorRefused("an empty value")
    return key


@dataclass(frozen=True)
class KeysetPage(Rows):
    object_list: list
    per_page: int
    has_next: bool
    has_previous: bool
    next_cursor: str = ""
    previous_cursor: str = ""
    cursor_refused: bool = False  # the link's cursor could not be used: this is the first page instead


def keyset_paginate(
    queryset: QuerySet, *, keyset: Keyset, after: str | None, before: str | None, per_page: int
) -> KeysetPage:
    """One query: the page after the cursor `after` (or before `before`), or the first page.

    A cursor that cannot be read gives the first page, with `cursor_refused` set (never an error)."""
    try:
        if after:
            return _page_after(queryset, keyset, cursor_read(keyset, queryset.model, after), per_page)
        if before:
            page = _page_before(queryset, keyset, cursor_read(keyset, queryset.model, before), per_page)
            if page.object_list:
                return page
    except CursorRefused:
        return replace(_page_after(queryset, keyset, None, per_page), cursor_refused=True)
    return _page_after(queryset, keyset, None, per_page)  # nothing before that row any more: the first page


def _seek(keyset: Keyset, key: tuple, *, backwards: bool):
    """(f1, f2, …) < key, or > key: a row comparison, which PostgreSQL answers from the index on that order."""
    columns = tuple(F(field) for field in keyset.fields)
    return TupleGreaterThan(columns, key) if keyset.descending == backwards else TupleLessThan(columns, key)


def _page_after(queryset: QuerySet, keyset: Keyset, key: tuple | None, per_page: int) -> KeysetPage:
    if key is not None:
        queryset = queryset.filter(_seek(keyset, key, backwards=False))
    rows = list(queryset.order_by(*keyset.order_by())[: per_page + 1])
    has_next = len(rows) > per_page
    rows = rows[:per_page]
    return KeysetPage(
        object_list=rows,
        per_page=per_page,
        has_next=has_next,
        has_previous=key is not None,  # past the end (no rows) it offers the first page, not a Previous
        next_cursor=cursor_make(keyset, rows[-1]) if has_next else "",
        previous_cursor=cursor_make(keyset, rows[0]) if key is not None and rows else "",
    )


def _page_before(queryset: QuerySet, keyset: Keyset, key: tuple, per_page: int) -> KeysetPage:
    queryset = queryset.filter(_seek(keyset, key, backwards=True))
    rows = list(queryset.order_by(*keyset.order_by(backwards=True))[: per_page + 1])
    has_previous = len(rows) > per_page
    rows = rows[:per_page][::-1]
    return KeysetPage(
        object_list=rows,
        per_page=per_page,
        has_next=True,
        has_previous=has_previous,
        next_cursor=cursor_make(keyset, rows[-1]) if rows else "",
        previous_cursor=cursor_make(keyset, rows[0]) if has_previous else "",
    )
