"""Database helpers the ORM lacks."""

from collections.abc import Sequence

from django.db import connection, models


def bulk_update_rows(rows: Sequence[models.Model], fields: Sequence[str]) -> None:
    """Save `fields` of many rows, each with its own values, in one statement.

    On PostgreSQL: UPDATE … FROM (VALUES …), which is several times cheaper to build and run than the
    CASE WHEN per field and row of Django's bulk_update (the sync engine records 50 bills at a time).
    Elsewhere: Django's bulk_update.
    """
    if not rows:
        return
    model = type(rows[0])
    if connection.vendor != "postgresql":
        model.objects.bulk_update(rows, fields)
        return
    meta = model._meta
    columns = [meta.pk, *(meta.get_field(name) for name in fields)]
    casts = ", ".join(f"CAST(%s AS {field.db_type(connection)})" for field in columns)
    values = ", ".join(f"({casts})" for _ in rows)
    params = [field.get_db_prep_save(getattr(row, field.attname), connection) for row in rows for field in columns]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(field.column)} = v.{quote(field.column)}" for field in columns[1:])
    names = ", ".join(quote(field.column) for field in columns)
    sql = (
        f"UPDATE {quote(meta.db_table)} SET {assignments} FROM (VALUES {values}) AS v({names}) "
        f"WHERE {quote(meta.db_table)}.{quote(meta.pk.column)} = v.{quote(meta.pk.column)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
