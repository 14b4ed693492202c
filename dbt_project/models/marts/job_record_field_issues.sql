{{ config(indexes=[{'columns': ['rule']}, {'columns': ['record_key']}]) }}
-- Every field a parse nulled, per record: the field, the rule it broke and the source's
-- value (at most 200 characters). A bad value is its record's problem: the field is null in
-- the marts, the record is served (or quarantined for a required field, with its own rule),
-- and the run goes on; this table says what was lost and why. The run summary counts it per
-- rule. Rebuilt each run from the checked records: one row per issue of each record's
-- newest delivery.
select
    checked_record.record_key,
    checked_record.source,
    checked_record.source_record_id,
    issue ->> 'field'       as field,
    issue ->> 'rule'        as "rule",
    issue ->> 'raw_value'   as raw_value,
    checked_record.quarantine_reason is not null as record_quarantined,
    checked_record.checked_at
from {{ ref('int_job_records__checked') }} as checked_record
cross join lateral jsonb_array_elements(checked_record.field_issues) as issue
where checked_record.field_issues <> '[]'::jsonb
