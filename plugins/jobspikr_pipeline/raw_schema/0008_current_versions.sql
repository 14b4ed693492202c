-- The current version of each JobsPikr posting: the one rule, in one place. The staging model
-- stg_jobspikr__jobs (dbt source jobspikr.jobspikr_current_versions) and the archive
-- (jobspikr_pipeline/archive.py) both read this view.
-- Per uniq_id, the version with the greatest (cursor, fetched_at, record_hash): the one
-- received with the newest cursor (the loader moves a re-sent version's cursor forward);
-- fetched_at, then record_hash, break ties, so exactly one version is current.
-- Written with NOT EXISTS rather than a window so the view stays flat: Postgres inlines it,
-- and an incremental model's filter on last_seen_at reaches the raw table's index (0004)
-- instead of ranking every version first.
-- The view lists jobspikr_jobs' columns as they are now; a migration that adds one to the
-- table and wants it here replaces the view in the same migration.
create view raw.jobspikr_current_versions as
select version.*
from raw.jobspikr_jobs version
where not exists (
    select from raw.jobspikr_jobs newer
    where newer.uniq_id = version.uniq_id
      and (newer.cursor, newer.fetched_at, newer.record_hash)
          > (version.cursor, version.fetched_at, version.record_hash)
);
