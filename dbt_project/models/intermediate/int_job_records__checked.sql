-- Each record with the first validation rule it fails (null: it passes). Valid records go
-- on to deduplication; the others to the quarantine, so nothing is silently dropped.
select
    *,
    case
        when title is null then 'missing_title'
        when company_name is null then 'missing_company'
        when city_raw is null and state_raw is null and country_raw is null and not is_remote
            then 'no_usable_location'
        when post_date is null then 'missing_post_date'
        when post_date > current_date + 1 then 'post_date_in_future'
        when post_date < date '2000-01-01' then 'post_date_before_2000'
        when url is null or url !~* '^https?://[a-z0-9.-]+\.[a-z]{2,}(:\d+)?(/\S*)?$' then 'invalid_url'
    end as quarantine_reason
from {{ ref('int_job_records__unioned') }}
