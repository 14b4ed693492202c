-- The extraction runs of the JobsPikr DAG, for the cutover's ingestion-duration metric.
with

source as (

    select * from {{ source('jobspikr', 'jobspikr_load_log') }}

),

renamed as (

    select
        load_id,
        airflow_run_id,
        query_key,
        source_host,
        started_at,
        finished_at,
        status,
        pages,
        records_received,
        inserted,
        duplicates_skipped,
        rejected,
        seconds::numeric                        as load_seconds
    from source

)

select * from renamed
