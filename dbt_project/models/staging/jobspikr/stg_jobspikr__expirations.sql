-- The JobsPikr records the Expired Jobs API reported expired, keyed like every record
-- (int_job_records__assigned joins them to their records).
with

source as (

    select * from {{ source('jobspikr', 'jobspikr_expirations') }}

),

renamed as (

    select
        'jobspikr:' || uniq_id  as record_key,
        uniq_id                 as source_record_id,
        expired_on,
        reported_at,
        last_reported_at
    from source

)

select * from renamed
