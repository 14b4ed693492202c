-- The current version of each JobsPikr posting, renamed and typed.
with

source as (

    select * from {{ source('jobspikr', 'jobspikr_jobs') }}

),

latest as (

    select distinct on (uniq_id) *
    from source
    order by uniq_id, cursor desc, fetched_at desc

),

renamed as (

    select
        uniq_id                                                   as jobspikr_id,
        cursor                                                    as jobspikr_cursor,
        nullif(trim(payload ->> 'job_title'), '')                 as title,
        nullif(trim(payload ->> 'company_name'), '')              as company_name,
        nullif(trim(coalesce(payload ->> 'inferred_city', payload ->> 'city')), '') as city,
        nullif(trim(coalesce(payload ->> 'inferred_state', payload ->> 'state')), '') as state,
        nullif(trim(coalesce(payload ->> 'inferred_country', payload ->> 'country')), '') as country,
        nullif(trim(payload ->> 'job_board'), '')                 as job_board,
        nullif(trim(payload ->> 'job_type'), '')                  as job_type,
        post_date,
        crawl_timestamp                                           as crawled_at,
        nullif(payload ->> 'url', '')                             as url,
        (payload ->> 'has_expired')::boolean                      as has_expired,
        fetched_at,
        load_id
    from latest

)

select * from renamed
