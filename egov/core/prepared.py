"""Keyed lookups whose SQL Django compiles once per database, not per call.

A workflow step runs a handful of small lookups by key (the instance to lock,
its task rows, a user by account name, a standing delegation). Building the
SQL of a queryset costs the client several times what the database spends
answering such a lookup, and the step is bound by the client's CPU; a
`Prepared` lookup builds its SQL once and then only binds the keys.
"""

import itertools

from django.db import transaction


class Slot:
    """A placeholder for a key in a prepared queryset (see `Prepared`).

    Its value only stands in while the SQL is built (it never reaches the
    database) and must differ from every constant of the query: a large
    negative integer, or for text keys (`Slot(str)`) a string with NULs.
    Only integer and text keys: other values (dates, JSON) are adapted per
    database while the SQL is built, and a bound value would miss that.
    """

    _count = itertools.count(1)

    def __init__(self, kind=int):
        if kind not in (int, str):
            raise TypeError("a slot holds an integer or a text key")
        n = next(self._count)
        self.value = -987_650_000 - n if kind is int else f"\x00slot{n}\x00"


class Prepared:
    """A keyed lookup whose SQL Django compiles once per database, not per call.

    A step runs a handful of small lookups by key; compiling each queryset to
    SQL costs the client more than the database spends answering it. `build`
    returns the queryset with `Slot` values where the keys go; it is compiled
    once per connection, the slots' positions in the parameters are noted, and
    each call runs the same SQL with the real keys, turning rows into model
    instances as Django's ModelIterable does (field converters, deferred
    fields, select_related). Only fixed-shape lookups qualify: no `__in` over
    a list whose length varies.
    """

    def __init__(self, build, *slots: Slot):
        self.build = build
        self.slots = slots
        self._compiled = {}

    def _compile(self, connection):
        from django.db.models.query import get_related_populators

        queryset = self.build(*(slot.value for slot in self.slots))
        compiler = queryset.query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        params = list(params)
        positions = []
        for slot in self.slots:
            found = [i for i, value in enumerate(params) if value == slot.value]
            if len(found) != 1:
                raise RuntimeError("a prepared lookup must use each slot once")
            positions.append(found[0])
        klass_info = compiler.klass_info
        select = compiler.select
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        fields = [s[0] for s in select[0 : compiler.col_count]]
        entry = {
            "sql": sql,
            "params": params,
            "positions": positions,
            "model": klass_info["model"],
            "init_list": [f[0].target.attname for f in select[start:end]],
            "span": (start, end),
            "converters": compiler.get_converters(fields),
            "compiler": compiler,
            "populators": get_related_populators(klass_info, select, connection.alias),
        }
        entry["connection"] = connection
        self._compiled[connection.alias] = entry
        return entry

    def __call__(self, *values) -> list:
        connection = transaction.get_connection()
        entry = self._compiled.get(connection.alias)
        # Connections are per thread; the compiler's converters read theirs.
        if entry is None or entry["connection"] is not connection:
            entry = self._compile(connection)
        params = list(entry["params"])
        for position, value in zip(entry["positions"], values, strict=True):
            params[position] = value
        with connection.cursor() as cursor:
            cursor.execute(entry["sql"], params)
            rows = cursor.fetchall()
        if entry["converters"]:
            rows = entry["compiler"].apply_converters(rows, entry["converters"])
        model, init_list = entry["model"], entry["init_list"]
        start, end = entry["span"]
        alias = connection.alias
        objects = []
        for row in rows:
            obj = model.from_db(alias, init_list, row[start:end])
            for populator in entry["populators"]:
                populator.populate(row, obj)
            objects.append(obj)
        return objects
