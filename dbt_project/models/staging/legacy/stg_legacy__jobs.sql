-- The legacy scraper's postings, parsed into our internal schema, its free text scrubbed of
-- contact values (macros/scrub_personal_data.sql).
with

source as (

    -- the scraper's free text without the personal data the policy does not keep: its
    -- table is not ours to change, so the policy applies as the rows enter the warehouse
    select {{ scrubbed_columns('legacy', ['id', 'source_site', 'external_id', 'url', 'title', 'company', 'location',
                                          'description_html', 'salary_text', 'posted_at', 'scraped_at']) }}
    from {{ source('legacy', 'legacy_scraped_jobs') }}

),

parsed as (

    select
        source.*,
        {{ missing_value('location') }} as location_text,
        posted.post_date as parsed_post_date,
        salary.*
    from source
    cross join lateral (select lower(regexp_replace(btrim(source.posted_at), '\s+', ' ', 'g')) as posted_at_text) as posted_text
    cross join lateral (select {{ parse_posted_at('posted_text.posted_at_text', 'source.scraped_at') }} as post_date) as posted
    cross join lateral {{ parsed_salary('source.salary_text') }} as salary

),

located as (

    select
        *,
        -- "Austin, TX", "New York, NY, USA", "Remote - US", "Remote"
        location_text ~* '^\s*remote' as is_remote_text,
        {{ missing_value("split_part(regexp_replace(location_text, '^\\s*remote\\s*(-|,)?\\s*', '', 'i'), ',', 1)") }}
            as location_first,
        {{ missing_value("split_part(location_text, ',', 2)") }} as location_second,
        {{ missing_value("split_part(location_text, ',', 3)") }} as location_third
    from parsed

),

renamed as (

    select
        'legacy'::text                                             as "source",
        id::text                                                   as source_record_id,
        {{ missing_value('title') }}                               as title,
        {{ missing_value('company') }}                             as company_name,
        case when is_remote_text then null else {{ listed_city('location_first') }} end as city_raw,
        case when is_remote_text then null else {{ listed_cities('location_first') }} end as cities_raw,
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
        {{ checked_post_date('parsed_post_date', 'scraped_at') }}  as post_date,
        -- the page's head, scripts and styles are not the ad's text
        nullif(btrim(regexp_replace(regexp_replace(
            regexp_replace(description_html, '<(head|script|style)\M.*?</\1>', ' ', 'gi'),
            '<[^>]*>', ' ', 'g'), '\s+', ' ', 'g')), '')
                                                                   as description,
        salary_min,
        salary_max,
        salary_currency,
        salary_period,
        null::boolean                                              as has_expired,
        null::text                                                 as duplicate_of,
        scraped_at                                                 as first_seen_at,
        scraped_at                                                 as last_seen_at,
        -- The scraper numbers its rows as it writes them: a late row with an old scraped_at
        -- still has a new id, so incremental models read new ids as well as new timestamps.
        id                                                         as arrival_sequence,
        {{ field_issues([
            ('title', placeholder_issue('title'), 'title'),
            ('company_name', placeholder_issue('company'), 'company'),
            ('location', placeholder_issue('location'), 'location'),
            ('post_date', post_date_issue('parsed_post_date', 'posted_at', 'scraped_at'), 'posted_at'),
            ('salary', 'salary_issue', 'salary_text'),
        ]) }}                                                      as field_issues
    from located

)

select * from renamed
