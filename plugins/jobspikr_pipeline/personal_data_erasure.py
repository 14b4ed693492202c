"""Erasure: one person's contact value masked everywhere in the warehouse, audited, and
the marts rebuilt from raw (``./pipeline forget``; ``docs/personal-data.md``)."""

from __future__ import annotations

import re

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb

from jobspikr.errors import JobsPikrConfigError
from jobspikr_pipeline.personal_data import PersonalDataPolicy

#: What an erased value becomes.
ERASED = "[erased]"
_SYSTEM_SCHEMAS = ("pg_catalog", "information_schema", "pg_toast")


def forget(conn: psycopg.Connection, policy: PersonalDataPolicy, *, field_name: str, value: str) -> dict[str, int]:
    """Mask every occurrence of one person's ``value`` (of ``field_name``) in the warehouse.

    Every text and jsonb column of every table is searched for the value as given (in any
    case) and for its pseudonym; each occurrence becomes ``[erased]``. One transaction: all of it or
    none. The audit row (``raw.personal_data_erasures``) records the field, when and how
    many rows per table, never the value. Views need nothing (they read the tables).
    Returns the rows changed per table.
    """
    if field_name not in policy.fields:
        raise JobsPikrConfigError(f"{field_name} is not a personal field of the policy "
                                  f"(one of: {', '.join(policy.fields)})")
    if len(value.strip()) < 6:
        raise JobsPikrConfigError(f"{value.strip()!r} is too short to erase safely (it would match unrelated "
                                  "text): give the whole address or number")
    forms = policy.stored_forms(field_name, value)
    changed: dict[str, int] = {}
    with conn.transaction():
        for schema, table, column, kind in _searchable_columns(conn):
            target = sql.SQL("{}.{}").format(sql.Identifier(schema), sql.Identifier(table))
            col = sql.Identifier(column)
            as_text = sql.SQL("{}::text").format(col)
            masked: sql.Composable = as_text
            for form in forms:
                masked = sql.SQL("regexp_replace({}, {}, {}, 'gi')").format(
                    masked, sql.Literal(_regex_literal(form)), sql.Literal(ERASED))
            if kind != "text":
                masked = sql.SQL("({})::{}").format(masked, sql.SQL(kind))
            matches = sql.SQL(" or ").join(
                sql.SQL("strpos(lower({}), {}) > 0").format(as_text, sql.Literal(form.lower())) for form in forms)
            rows = conn.execute(sql.SQL("update {} set {} = {} where {}").format(target, col, masked, matches)).rowcount
            if rows:
                key = f"{schema}.{table}"
                changed[key] = changed.get(key, 0) + rows
        conn.execute("insert into raw.personal_data_erasures (field_name, rows_changed, tables)"
                     " values (%s, %s, %s)", (field_name, sum(changed.values()), Jsonb(changed)))
    return changed


#: Erasure rebuilds every model from the masked raw tables, fully (text derived from a value,
#: such as a normalised description, no longer contains it literally), except these: the
#: per-run history, which holds only counts and must not be reset.
KEPT_ON_REBUILD = ("cutover_run_metrics",)


def forget_and_rebuild(conn: psycopg.Connection, policy: PersonalDataPolicy, *, field_name: str, value: str,
                       conn_id: str) -> dict[str, int]:
    """``forget`` the value, then rebuild the marts from raw with dbt (their tests included)."""
    from jobspikr_pipeline.dbt import build_args, run_dbt

    changed = forget(conn, policy, field_name=field_name, value=value)
    run_dbt(build_args("--full-refresh", exclude=KEPT_ON_REBUILD), conn_id=conn_id)
    return changed


def _regex_literal(text: str) -> str:
    """``text`` as a Postgres regular expression matching exactly it."""
    return re.sub(r"([^\w\s])", r"\\\1", text)


def _searchable_columns(conn: psycopg.Connection) -> list[tuple[str, str, str, str]]:
    """Every text-like and jsonb column of every ordinary table outside the system schemas."""
    return conn.execute("""
        select c.table_schema, c.table_name, c.column_name,
               case when c.data_type in ('jsonb', 'json') then c.data_type else 'text' end
        from information_schema.columns c
        join information_schema.tables t using (table_schema, table_name)
        where t.table_type = 'BASE TABLE'
          and c.table_schema <> all(%s)
          and c.table_schema not like 'pg_temp%%'
          and c.data_type in ('text', 'character varying', 'jsonb', 'json')
          and c.table_name <> 'personal_data_erasures'
        order by 1, 2, 3""", (list(_SYSTEM_SCHEMAS),)).fetchall()
