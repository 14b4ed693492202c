{{ config(materialized='table', schema='quarantine') }}
-- Records that fail a validation rule, with the rule. Reviewed, never silently dropped.
-- Rebuilt each run from the checked records (an index lookup: quarantined rows are few).
select
    record_key, source, source_record_id, quarantine_reason, title, company_name, city_raw, state_raw,
    country_raw, post_date, url, last_seen_at, checked_at as quarantined_at
from {{ ref('int_job_records__checked') }}
where quarantine_reason is not null
