-- Nothing is silently dropped: per source, every staged record is either deduplicated
-- (int_job_records__normalised) or quarantined, never both, never neither; and every
-- deduplicated record of a served source is in job_listing_records.
with
staged as (select source, count(*) as n from {{ ref('int_job_records__unioned') }} group by source),

kept as (select source, count(*) as n from {{ ref('int_job_records__normalised') }} group by source),

quarantined as (select source, count(*) as n from {{ ref('job_records_quarantine') }} group by source),

served as (select source, count(*) as n from {{ ref('int_job_records__served') }} group by source),

listed as (select source, count(*) as n from {{ ref('job_listing_records') }} group by source)

select s.source, s.n as staged, coalesce(k.n, 0) as kept, coalesce(q.n, 0) as quarantined,
       coalesce(v.n, 0) as served, coalesce(l.n, 0) as listed
from staged as s
left join kept as k using (source)
left join quarantined as q using (source)
left join served as v using (source)
left join listed as l using (source)
where s.n <> coalesce(k.n, 0) + coalesce(q.n, 0)
   or coalesce(v.n, 0) <> coalesce(l.n, 0)
