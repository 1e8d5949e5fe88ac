"""Many rows in few round trips, for imports: COPY on PostgreSQL, one executemany on SQLite.

An ORM flush per row made a 50,000-row import take 70 s. SQLAlchemy's bulk INSERT took 25 s on PostgreSQL
(psycopg parsing the placeholders of its large statements) and 6 s on SQLite (building parameters row by row);
COPY sends the rows as data, and SQLite's executemany takes them as tuples, converted by the columns' types.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Hashable, Sequence
from typing import Any

from sqlalchemy import JSON, Table, func, select
from sqlalchemy.orm import Session

from tracker.db.models import Base


def insert_rows(
    session: Session, model: type[Base], rows: Sequence[dict[str, Any]], *, ids: bool = False
) -> list[int]:
    """Insert rows (each with the same keys) in the session's transaction; with `ids`, their new ids in order.

    Rows bypass the ORM: nothing is flushed or noted by session hooks (see `upkeep.inputs_changed`).
    """
    if not rows:
        return []
    table = model.__table__
    assert isinstance(table, Table)
    if session.get_bind().dialect.name == "postgresql":
        return _copy(session, table, rows, ids)
    return _executemany(session, table, rows, ids)


def _executemany(session: Session, table: Table, rows: Sequence[dict[str, Any]], ids: bool) -> list[int]:
    """SQLite: ids follow the largest, as SQLite gives them; a writer in between makes the insert fail."""
    dialect = session.get_bind().dialect
    columns = list(rows[0])
    new_ids: list[int] = []
    if ids:
        first = (session.scalar(select(func.max(table.c.id))) or 0) + 1
        new_ids = list(range(first, first + len(rows)))
    convert = [
        _remembered(table.c[name].type.dialect_impl(dialect).bind_processor(dialect)) for name in columns
    ]
    names = [*columns, "id"] if ids else columns
    quote = dialect.identifier_preparer.quote
    statement = (  # names from the model, quoted; the values are parameters
        f"INSERT INTO {quote(table.name)} ({', '.join(quote(name) for name in names)}) "  # noqa: S608
        f"VALUES ({', '.join('?' for _ in names)})"
    )
    parameters = []
    for index, row in enumerate(rows):
        values = [
            to_db(row[name]) if to_db is not None else row[name]
            for name, to_db in zip(columns, convert, strict=True)
        ]
        parameters.append((*values, new_ids[index]) if ids else tuple(values))
    session.connection().exec_driver_sql(statement, parameters)
    return new_ids


def _remembered(to_db: Callable[[Any], Any] | None) -> Callable[[Any], Any] | None:
    """A column's conversion, done once per distinct value: most rows share their times, dates and flags."""
    if to_db is None:
        return None
    done: dict[tuple[type, Hashable], Any] = {}

    def convert(value: Any) -> Any:
        key = (type(value), tuple(value) if isinstance(value, list) else value)
        try:
            return done[key]
        except KeyError:
            done[key] = converted = to_db(value)
            return converted
        except TypeError:  # unhashable (a dict, a list of lists)
            return to_db(value)

    return convert


def _copy(session: Session, table: Table, rows: Sequence[dict[str, Any]], ids: bool) -> list[int]:
    new_ids: list[int] = []
    if ids:  # taken from the table's own sequence, as a default would
        sequence = func.pg_get_serial_sequence(table.name, "id")
        new_ids = sorted(
            session.scalars(select(func.nextval(sequence)).select_from(func.generate_series(1, len(rows))))
        )
    columns = list(rows[0])
    as_json = [_remembered(json.dumps) if isinstance(table.c[name].type, JSON) else None for name in columns]
    quote = session.get_bind().dialect.identifier_preparer.quote
    names = [*columns, "id"] if ids else columns
    statement = f"COPY {quote(table.name)} ({', '.join(quote(name) for name in names)}) FROM STDIN"
    connection = session.connection().connection.driver_connection
    assert connection is not None
    with connection.cursor() as cursor, cursor.copy(statement) as copy:
        for index, row in enumerate(rows):
            values = [
                to_json(row[name]) if to_json is not None else row[name]
                for name, to_json in zip(columns, as_json, strict=True)
            ]
            copy.write_row([*values, new_ids[index]] if ids else values)
    return new_ids
