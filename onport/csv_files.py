"""The CSV files Onport writes: every text cell spreadsheet-safe, and exports streamed a few hundred rows at a time,
so a 100,000-row file starts at once and holds one chunk in memory, whatever its length."""

import csv
import datetime
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal

from django.http import StreamingHttpResponse
from django.utils import timezone

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
ROWS_PER_CHUNK = 500
EXCEL_UTF8_MARK = "\ufeff"  # without it Excel reads "Müller GmbH" as Latin-1


def spreadsheet_safe(value: str) -> str:
    """A cell a spreadsheet will not run as a formula: a leading = + - @ tab or CR gets a ' before it (OWASP)."""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def cell(value) -> str:
    """One cell: money with two decimals, dates as ISO, times in the site's time zone as a spreadsheet reads them,
    nothing as empty, text made spreadsheet-safe.
    Only text is guarded: a negative amount stays a number the spreadsheet can add up."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, (datetime.date, int)):
        return str(value)
    return spreadsheet_safe(str(value))


class _Line:
    """csv.writer's file: hands back what it is given, so rows can be joined into chunks."""

    def write(self, text: str) -> str:
        return text


def csv_chunks(header: Sequence[str], rows: Iterable[Iterable]) -> Iterator[str]:
    writer = csv.writer(_Line(), lineterminator="\r\n")
    yield EXCEL_UTF8_MARK + writer.writerow(header)
    chunk: list[str] = []
    for row in rows:
        chunk.append(writer.writerow([cell(value) for value in row]))
        if len(chunk) == ROWS_PER_CHUNK:
            yield "".join(chunk)
            chunk = []
    if chunk:
        yield "".join(chunk)


def csv_download(*, filename: str, header: Sequence[str], rows: Iterable[Iterable]) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        (chunk.encode() for chunk in csv_chunks(header, rows)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"  # holds vendors' amounts (and, for payout runs, their masked banks)
    return response
