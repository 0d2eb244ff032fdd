"""Querysets compiled to SQL once per database connection, then run with new values.

Django compiles a queryset's SQL again on every evaluation: for the query that reads a session's user with
their grants, compiling costs twice the database round trip (0.3–0.5 ms of Python against 0.1 ms). No
library keeps Django's compiled SQL; this one only serves the few fixed-shape queries that run on every
request (see docs/benchmarks.md), and reads rows back through Django's own converters.
"""
from __future__ import annotations

import weakref

from django.db import DEFAULT_DB_ALIAS, connections


class CompiledQuery:
    """A values_list queryset whose SQL is built once per connection and run for any values of its parameters.

    `build(**placeholders)` returns the queryset; each placeholder is a distinct sentinel that must appear
    in the compiled parameters once and exactly as given (the value of an exact or range lookup, not of a
    LIKE one, which Django rewrites), so that `rows(**values)` can put the real values in their places.
    The values are passed to the database as given: convert them as the field would (get_prep_value).
    """

    def __init__(self, build, **placeholders):
        self.build = build
        self.placeholders = placeholders
        self._compiled = weakref.WeakKeyDictionary()  # connection → (compiler, sql, params, positions)

    def _compile(self, connection):
        compiled = self._compiled.get(connection)
        if compiled is None:
            queryset = self.build(**self.placeholders)
            compiler = queryset.query.get_compiler(connection=connection)
            sql, params = compiler.as_sql()
            positions = {}
            for name, sentinel in self.placeholders.items():
                found = [i for i, p in enumerate(params) if p == sentinel]
                if len(found) != 1:
                    raise ValueError(f"placeholder {name!r} appears {len(found)} times in the compiled query")
                positions[name] = found[0]
            compiled = compiler, sql, list(params), positions
            self._compiled[connection] = compiled
        return compiled

    def rows(self, using: str = DEFAULT_DB_ALIAS, **values) -> list[tuple]:
        """The rows for these values, converted as Django converts a values_list's rows."""
        connection = connections[using]
        compiler, sql, params, positions = self._compile(connection)
        params = list(params)
        for name, position in positions.items():
            params[position] = values[name]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            fetched = cursor.fetchall()
        return list(compiler.results_iter(results=[fetched], tuple_expected=True))
