-- Nothing is silently dropped: per source, records of enabled sources = valid records
-- (deduplicated into job_listing_records) + quarantined records.
with
unioned as (select source, count(*) as n from {{ ref('int_job_records__unioned') }} group by source),
kept as (select source, count(*) as n from {{ ref('job_listing_records') }} group by source),
quarantined as (select source, count(*) as n from {{ ref('job_records_quarantine') }} group by source)
select u.source, u.n as unioned, coalesce(k.n, 0) as kept, coalesce(q.n, 0) as quarantined
from unioned u
left join kept k using (source)
left join quarantined q using (source)
where u.n <> coalesce(k.n, 0) + coalesce(q.n, 0)
