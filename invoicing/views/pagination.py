"""Pagination that never counts.

Django's Paginator runs a COUNT over everything that matches before it fetches a page; with
100,000 invoices in an account (and a search on part of a number) that count is the slow query.
Here a page is one query: it fetches one row more than the page holds, which says whether there
is a next page. The page shows "Previous / Next", not "page 3 of 2,000".
"""

from dataclasses import dataclass

from django.db.models import QuerySet

MAX_PAGE = 100_000  # far beyond any real list; keeps the OFFSET a sane number


@dataclass(frozen=True)
class Page:
    object_list: list
    number: int
    per_page: int
    has_next: bool

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next

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
