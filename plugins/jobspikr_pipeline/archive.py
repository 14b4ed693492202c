"""Move stale listings out of the hot raw table into ``raw.jobspikr_jobs_archive``.

Stale: the listing's current version says it expired more than ``expired_grace_days``
ago, or JobsPikr has not sent it for ``unseen_days``. All versions of such a listing
move together, in one transaction; nothing is deleted. The loader checks the archive,
so a version that comes back unchanged is not landed twice; one that comes back changed
lands in the hot table as the listing's new current version.

Which version is current is the raw schema's view ``raw.jobspikr_current_versions``
(``raw_schema/0008_current_versions.sql``), the rule staging follows too; unseen is measured
from the newest ``last_seen_at`` of any of the listing's versions.
"""

from __future__ import annotations

import psycopg
from psycopg import sql

from jobspikr_pipeline.raw_rows import JOBS_COLUMNS, column_list

_ARCHIVE_SQL = sql.SQL("""
with current_version as (
    select c.uniq_id, c.payload, c.fetched_at,
           (select max(v.last_seen_at) from raw.jobspikr_jobs v where v.uniq_id = c.uniq_id) as last_seen_at
    from raw.jobspikr_current_versions c
),
stale as (
    select uniq_id,
           case when payload ->> 'has_expired' = 'true' then 'expired'
                else 'unseen since ' || last_seen_at::date end as reason
    from current_version
    where (payload ->> 'has_expired' = 'true' and fetched_at < now() - make_interval(days => %(grace)s))
       or last_seen_at < now() - make_interval(days => %(unseen)s)
),
moved as (
    delete from raw.jobspikr_jobs j using stale s where j.uniq_id = s.uniq_id
    returning j.*, s.reason
)
insert into raw.jobspikr_jobs_archive ({columns}, archive_reason)
select {columns}, reason
from moved
""").format(columns=column_list(JOBS_COLUMNS))


def archive_stale_listings(conn: psycopg.Connection, *, unseen_days: int, expired_grace_days: int) -> int:
    """Archive stale listings; return how many record versions moved."""
    with conn.transaction():
        return conn.execute(_ARCHIVE_SQL, {"grace": expired_grace_days, "unseen": unseen_days}).rowcount
