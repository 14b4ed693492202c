-- The legacy scraper's postings, parsed into our internal schema.
with

source as (

    select * from {{ source('legacy', 'legacy_scraped_jobs') }}

),

parsed as (

    select
        *,
        nullif(btrim(location), '') as location_text,
        lower(regexp_replace(btrim(posted_at), '\s+', ' ', 'g')) as posted_text,
        -- "Austin, TX", "New York, NY, USA", "Remote - US", "Remote"
        location ~* '^\s*remote' as is_remote_text,
        nullif(btrim(split_part(regexp_replace(location, '^\s*remote\s*(-|,)?\s*', '', 'i'), ',', 1)), '')
            as location_first,
        nullif(btrim(split_part(location, ',', 2)), '') as location_second,
        nullif(btrim(split_part(location, ',', 3)), '') as location_third
    from source

),

renamed as (

    select
        'legacy'::text                                             as source,
        id::text                                                   as source_record_id,
        nullif(btrim(title), '')                                   as title,
        nullif(btrim(company), '')                                 as company_name,
        case when is_remote_text then null else location_first end as city_raw,
        case when is_remote_text then null else location_second end as state_raw,
        case
            when is_remote_text then coalesce(location_first, 'US')
            else coalesce(location_third, case when location_second is not null then 'US' end)
        end                                                        as country_raw,
        coalesce(is_remote_text, false)                            as is_remote,
        'location text'::text                                      as location_source,
        null::text                                                 as job_type,
        lower(nullif(btrim(source_site), ''))                      as job_board,
        nullif(btrim(url), '')                                     as url,
        {{ parse_posted_at('posted_text', 'scraped_at') }} as post_date,
        -- the page's head, scripts and styles are not the ad's text
        nullif(btrim(regexp_replace(regexp_replace(
            regexp_replace(description_html, '<(head|script|style)\M.*?</\1>', ' ', 'gi'),
            '<[^>]*>', ' ', 'g'), '\s+', ' ', 'g')), '')
                                                                   as description,
        {{ salary_min('salary_text') }}                           as salary_min,
        {{ salary_max('salary_text') }}                           as salary_max,
        {{ salary_currency('salary_text') }}                      as salary_currency,
        {{ salary_period('salary_text') }}                        as salary_period,
        null::boolean                                              as has_expired,
        scraped_at                                                 as first_seen_at,
        scraped_at                                                 as last_seen_at,
        -- The scraper numbers its rows as it writes them: a late row with an old scraped_at
        -- still has a new id, so incremental models read new ids as well as new timestamps.
        id                                                         as arrival_sequence
    from parsed

)

select * from renamed
