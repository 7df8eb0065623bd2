"""rows_insert: write many rows of plain values in a few statements, without model instances.

Seeding a world writes tens of thousands of rows whose primary keys nobody needs back;
`bulk_create` would build a model instance per row and compile every value through the ORM,
which then dominates. Here the rows are tuples in the order of `columns` (field names), sent
as they are, except the values of fields whose database form differs from the Python one
(date-times, decimals, JSON, ...), which go through the field's `get_db_prep_save` as
`bulk_create` does. Fields not in `columns` get their default, as `bulk_create` would give
them; a NOT NULL field with neither a default nor a value is refused before anything is
written. `pre_save` is not run: give auto_now fields a value. SQLite gets one executemany
per batch, PostgreSQL one INSERT ... SELECT * FROM UNNEST(arrays) per batch.

Plain values are str for text fields, int for integer fields and foreign keys, bool for
boolean fields, `datetime.date` for date fields, None for NULL.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from functools import partial
from itertools import islice
from typing import Any

from django.db import connections, models, router

BATCH = 5000  # rows per statement (PostgreSQL) or executemany (SQLite)

_PLAIN = (models.CharField, models.TextField, models.IntegerField, models.BooleanField)


def _plain(field: models.Field) -> bool:
    """Whether the field's database value is the plain Python value itself."""
    if field.is_relation:
        return _plain(field.target_field)
    if isinstance(field, models.DateTimeField):
        return False
    return isinstance(field, (*_PLAIN, models.DateField))


def rows_insert(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    batch: int = BATCH,
) -> int:
    """INSERT `rows` (tuples of values for `columns`, field names) into `model`'s table.

    Returns the number of rows written. Rows are written in order, so auto-incremented keys
    follow it. The caller holds the transaction if it wants one.
    """
    opts = model._meta
    alias = router.db_for_write(model)
    connection = connections[alias]
    fields = [opts.get_field(name) for name in columns]
    given = {field.attname for field in fields}
    prepare: list[tuple[int, Callable[[Any], Any]]] = [
        (index, partial(field.get_db_prep_save, connection=connection))
        for index, field in enumerate(fields)
        if not _plain(field)
    ]
    defaults: list[Any] = []
    for field in opts.concrete_fields:
        if field.attname in given or (field.primary_key and isinstance(field, models.AutoField)):
            continue
        if field.has_default():
            fields.append(field)
            defaults.append(field.get_db_prep_save(field.get_default(), connection))
        elif not field.null and not field.has_db_default():
            raise ValueError(f"{opts.label}.{field.name}: NOT NULL, no value and no default.")
    tail = tuple(defaults)
    quote = connection.ops.quote_name
    table = quote(opts.db_table)
    names = ", ".join(quote(field.column) for field in fields)
    unnest = _unnest_types(connection, fields)
    if unnest is None:
        placeholders = ", ".join(["%s"] * len(fields))
        sql = f"INSERT INTO {table} ({names}) VALUES ({placeholders})"  # noqa: S608 (model's names)
    else:
        # PostgreSQL would parse and plan one statement per row: one statement per batch,
        # one parameter (an array) per column, as bulk_create does there.
        arrays = ", ".join(f"(%s)::{db_type}[]" for db_type in unnest)
        sql = f"INSERT INTO {table} ({names}) SELECT * FROM UNNEST({arrays})"  # noqa: S608
    written = 0
    iterator = iter(rows)
    with connection.cursor() as cursor:
        while chunk := list(islice(iterator, batch)):
            if prepare or tail:
                chunk = [_prepared(row, prepare) + tail for row in chunk]
            if unnest is None:
                cursor.executemany(sql, chunk)
            else:
                cursor.execute(sql, [list(column) for column in zip(*chunk, strict=True)])
            written += len(chunk)
    return written


def _unnest_types(connection, fields: list[models.Field]) -> list[str] | None:
    """The columns' array element types for INSERT ... SELECT * FROM UNNEST(...) on
    PostgreSQL (None elsewhere, or for a field that an array would not carry: the same
    conditions as Django's bulk insert there)."""
    if connection.vendor != "postgresql":
        return None
    types = []
    for field in fields:
        target = field.target_field if field.is_relation else field
        if hasattr(field, "get_placeholder") or target.get_internal_type() not in (
            connection.data_types
        ):
            return None
        types.append(field.db_type(connection).split("(")[0])
    return types


def _prepared(row: Sequence[Any], prepare: list[tuple[int, Callable[[Any], Any]]]) -> tuple:
    if not prepare:
        return tuple(row)
    values = list(row)
    for index, convert in prepare:
        values[index] = convert(values[index])
    return tuple(values)
