-- One row per job listing served to BI tools.
with

jobs as (

    select * from {{ ref('stg_jobspikr__jobs') }}

),

final as (

    select
        md5('jobspikr:' || jobspikr_id)   as job_listing_id,
        jobspikr_id,
        title,
        company_name,
        city,
        state,
        country,
        job_board,
        job_type,
        post_date,
        url,
        crawled_at,
        fetched_at
    from jobs

)

select * from final
