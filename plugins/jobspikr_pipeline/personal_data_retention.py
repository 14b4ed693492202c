"""Retention: personal and free-text fields leave what is old (``docs/personal-data.md``).

Record versions last seen more than the policy's ``retention_days`` ago, in raw and in the
archive, lose their personal and free-text fields; the rest of the row (ids, dates, the
fields the marts and history read) stays. In every table of snapshot rows, versions that
ended (or, still current, were captured) that long ago lose their free text.
"""

from __future__ import annotations

import psycopg
from psycopg import sql

from jobspikr_pipeline.personal_data import PersonalDataPolicy


def apply_retention(conn: psycopg.Connection, policy: PersonalDataPolicy) -> dict[str, int]:
    """Reduce what is older than ``retention_days``, once. In raw and the archive, versions
    last seen that long ago lose their personal and free-text fields (``reduced_at`` marks
    them). In the history snapshots, versions that ended that long ago, or that are still
    current but were captured that long ago (a snapshot does not follow a version's last
    sighting), lose their free-text columns. Rows per table."""
    removed = [*policy.fields, *policy.free_text_fields]
    counts: dict[str, int] = {}
    with conn.transaction():
        for table in ("jobspikr_jobs", "jobspikr_jobs_archive"):
            cursor = conn.execute(
                sql.SQL("update raw.{} set payload = payload - %(keys)s::text[], reduced_at = now()"
                        " where reduced_at is null and last_seen_at < now() - make_interval(days => %(days)s)"
                        ).format(sql.Identifier(table)),
                {"keys": removed, "days": policy.retention_days})
            counts[f"raw.{table}"] = cursor.rowcount
        for schema, table, columns in _snapshots(conn, policy.snapshot_free_text_columns):
            emptied = [sql.SQL("{} = null").format(sql.Identifier(c)) for c in columns]
            held = [sql.SQL("{} is not null").format(sql.Identifier(c)) for c in columns]
            cursor = conn.execute(
                sql.SQL("update {}.{} set {} where ({})"
                        " and coalesce(dbt_valid_to, dbt_updated_at) < now() - make_interval(days => %(days)s)"
                        ).format(sql.Identifier(schema), sql.Identifier(table), sql.SQL(", ").join(emptied),
                                 sql.SQL(" or ").join(held)),
                {"days": policy.retention_days})
            counts[f"{schema}.{table}"] = cursor.rowcount
    return counts


def _snapshots(conn: psycopg.Connection, columns: tuple[str, ...]) -> list[tuple[str, str, list[str]]]:
    """Tables of dbt snapshot rows (those with ``dbt_scd_id``) holding any of ``columns``:
    the snapshots, and the ``audit`` tables in which a failing test on a snapshot keeps its
    rows whole."""
    rows = conn.execute("""
        select c.table_schema, c.table_name, array_agg(c.column_name::text order by c.column_name)
        from information_schema.columns c
        join information_schema.tables t using (table_schema, table_name)
        where t.table_type = 'BASE TABLE' and c.column_name = any(%s)
          and exists (select 1 from information_schema.columns s where s.table_schema = c.table_schema
                      and s.table_name = c.table_name and s.column_name = 'dbt_scd_id')
        group by 1, 2 order by 1, 2""", (list(columns),)).fetchall()
    return [(schema, table, list(cols)) for schema, table, cols in rows]
