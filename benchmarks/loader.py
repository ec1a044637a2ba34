"""Fast table loading for the generator: COPY on PostgreSQL, executemany elsewhere, explicit ids."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.management.color import no_style
from django.db import connection, models

# Rows go to the server in slices, so a million-row table never sits in memory twice.
SLICE = 50_000


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


class Table:
    """One model's rows as dicts of attribute names; unnamed columns get the field's default."""

    def __init__(self, model: type[models.Model]):
        self.model = model
        self.fields = [field for field in model._meta.concrete_fields]
        self.columns = [field.column for field in self.fields]
        self.defaults = {}
        for field in self.fields:
            default = field.get_default() if field.has_default() else None
            if (
                default is None
                and not field.null
                and isinstance(field, models.CharField | models.TextField)
            ):
                default = ""
            self.defaults[field.attname] = default
        self.rows: list[tuple] = []
        self.count = 0

    def add(self, **values: Any) -> None:
        row = []
        for field in self.fields:
            value = values.get(field.attname, self.defaults[field.attname])
            if isinstance(field, models.JSONField):
                value = json.dumps(value, ensure_ascii=False)
            row.append(value)
        self.rows.append(tuple(row))
        self.count += 1
        if len(self.rows) >= SLICE:
            self.flush()

    def flush(self) -> None:
        if self.rows:
            write_rows(self.model._meta.db_table, self.columns, self.rows)
            self.rows = []


def write_rows(table: str, columns: Sequence[str], rows: Iterable[tuple]) -> None:
    quoted = ", ".join(connection.ops.quote_name(column) for column in columns)
    with connection.cursor() as cursor:
        if is_postgresql():
            # psycopg 3's COPY: the server parses text, no per-row statement or round trip.
            with cursor.cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({quoted}) VALUES ({marks})", list(rows))


def wipe(tables: Sequence[type[models.Model]]) -> None:
    """Empty the tables (children first on engines without TRUNCATE … CASCADE)."""
    names = [model._meta.db_table for model in tables]
    with connection.cursor() as cursor:
        if is_postgresql():
            cursor.execute(f"TRUNCATE {', '.join(names)} RESTART IDENTITY CASCADE")
        else:
            for name in names:
                cursor.execute(f"DELETE FROM {name}")


def reset_sequences(tables: Sequence[type[models.Model]]) -> None:
    """After explicit ids: let the next ordinary insert take the next free id."""
    statements = connection.ops.sequence_reset_sql(no_style(), list(tables))
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def analyze() -> None:
    """Fresh planner statistics, as autovacuum would give a database that grew slowly."""
    if is_postgresql():
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
