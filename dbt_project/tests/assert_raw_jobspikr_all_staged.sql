-- Every JobsPikr listing in the hot raw table reaches staging exactly once.
select count(distinct uniq_id) as raw_listings, (select count(*) from {{ ref('stg_jobspikr__jobs') }}) as staged
from {{ source('jobspikr', 'jobspikr_jobs') }}
having count(distinct uniq_id) <> (select count(*) from {{ ref('stg_jobspikr__jobs') }})
