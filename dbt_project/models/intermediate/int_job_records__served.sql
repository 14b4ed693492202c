{{ config(materialized='view') }}
-- The records the marts serve: the deduplicated records of the sources the `source_flags`
-- seed enables. Every source is deduplicated (so a job keeps its id when a flag flips);
-- this is the one place that decides which sources the marts serve.
select *
from {{ ref('int_job_records__assigned') }}
where source in (select flags.source from {{ ref('source_flags') }} as flags where flags.enabled)
