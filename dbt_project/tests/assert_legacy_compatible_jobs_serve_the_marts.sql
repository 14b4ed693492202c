-- marts.legacy_compatible_jobs serves job_listings one to one (outside the A/B rollout),
-- and its text columns read back to the marts' values: the salary text parses to the
-- same numbers (and period, where there is an amount to carry one: a period alone has no
-- text; parsed_salary holds the marts to that), the post date to the same day. Rows returned are failures.
with

served as (

    select *, {{ legacy_compatible_id('job_listing_id') }} as id from {{ ref('job_listings') }}

),

compatible as (

    select * from {{ ref('legacy_compatible_jobs') }}

)

select coalesce(served.job_listing_id, compatible.id::text) as failing_job
from served
full join compatible using (id)
left join lateral {{ parsed_salary('compatible.salary_text') }} as read_back on true
where served.job_listing_id is null
   or compatible.id is null
   or compatible.title is distinct from served.title
   or compatible.posted_at::date is distinct from served.post_date
   or read_back.salary_min is distinct from served.salary_min
   or read_back.salary_max is distinct from served.salary_max
   or (read_back.salary_period is distinct from served.salary_period and served.salary_min is not null)
