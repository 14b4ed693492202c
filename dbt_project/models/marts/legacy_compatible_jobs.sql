{{ config(materialized='view') }}
-- The deduplicated jobs in the legacy scraper's shape: the columns of raw.legacy_scraped_jobs,
-- with their names, types and order (an enforced contract), so a feature built on the
-- scraper's table switches by changing that one table name. One row per job, from the
-- marts, following the source flags; a consumer in the A/B rollout that sets
-- `jobspikr.consumer_id` on its connection (`options=-c jobspikr.consumer_id=careers_app`)
-- is served its variant instead.
--   id           stable per job (from job_listing_id, which a job keeps when later records
--                join it and when a flag flips): a positive 60-bit integer
--   external_id  the representative record's id at its source (JobsPikr's uniq_id, the
--                scraper's external_id)
--   location     "City, ST" as the scraper wrote it ("Remote - US" for a remote job with
--                no city); posted_at the post date as YYYY-MM-DD, one of the scraper's formats
--   description_html  the representative record's cleaned text, HTML-escaped in a <div>
--   salary_text  "$120k-$150k", "$40 - $55 an hour"; null when unknown
--   scraped_at   when the job was last seen by any served source
-- Expired jobs stay (the scraper's table kept them too); `marts.job_listings.status` says.
{% set listing_columns -%}
    job_listing_id, representative_source, representative_record_id, url, title, company_name, city,
    state_code, is_remote, salary_min, salary_max, salary_currency, salary_period, post_date, last_seen_at
{%- endset %}
with

consumer as (

    select variant from {{ ref('consumer_variants') }}
    where consumer_id = nullif(current_setting('jobspikr.consumer_id', true), '')

),

listings as (

    select {{ listing_columns }}
    from {{ ref('job_listings') }}
    where nullif(current_setting('jobspikr.consumer_id', true), '') is null
    union all
    -- a one-time filter: only the consumer's variant is computed
    select {{ listing_columns }}
    from {{ ref('job_listings_by_variant') }}
    where variant = (select consumer.variant from consumer)

)

select
    {{ legacy_compatible_id('listings.job_listing_id') }}                          as id,
    coalesce(representative.job_board, '')::text                                as source_site,
    coalesce(scraped.external_id, listings.representative_record_id)::text       as external_id,
    listings.url::text                                                            as url,
    listings.title::text                                                          as title,
    listings.company_name::text                                                   as company,
    case when listings.city is null and listings.is_remote then 'Remote - US'
         else nullif(concat_ws(', ', listings.city, listings.state_code), '') end::text as "location",
    ('<div>' || replace(replace(replace(representative.description, '&', '&amp;'), '<', '&lt;'), '>', '&gt;')
        || '</div>')::text                                                        as description_html,
    {{ salary_text('listings') }}::text                                          as salary_text,
    to_char(listings.post_date, 'YYYY-MM-DD')::text                              as posted_at,
    listings.last_seen_at::timestamptz                                           as scraped_at
from listings
left join {{ ref('int_job_records__normalised') }} as representative
    on representative.record_key = listings.representative_source || ':' || listings.representative_record_id
left join {{ source('legacy', 'legacy_scraped_jobs') }} as scraped
    on listings.representative_source = 'legacy' and scraped.id::text = listings.representative_record_id
