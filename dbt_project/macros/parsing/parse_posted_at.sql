{#- Documented in _parsing__macros.yml. -#}
{% macro parse_posted_at(posted, scraped) -%}
    case
        when {{ posted }} ~ '^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}' then
            {{ _valid_date("(regexp_match(" ~ posted ~ ", '^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})'))[1]",
                           "(regexp_match(" ~ posted ~ ", '^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})'))[2]",
                           "(regexp_match(" ~ posted ~ ", '^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})'))[3]") }}
        when {{ posted }} ~ '^[0-9]{1,2}/[0-9]{1,2}/([0-9]{4}|[0-9]{2})$' then
            {{ _valid_date("(regexp_match(" ~ posted ~ ", '/([0-9]{4}|[0-9]{2})$'))[1]",
                           "split_part(" ~ posted ~ ", '/', 1)", "split_part(" ~ posted ~ ", '/', 2)") }}
        when {{ posted }} ~ '^[a-z]{3}[a-z]*\.?\s+[0-9]{1,2}(st|nd|rd|th)?,?\s+[0-9]{4}$' then
            {{ _valid_date("(regexp_match(" ~ posted ~ ", '([0-9]{4})$'))[1]",
                           _month_number("left(" ~ posted ~ ", 3)"),
                           "(regexp_match(" ~ posted ~ ", '^[a-z.]+\s+([0-9]{1,2})'))[1]") }}
        when {{ posted }} ~ '^[0-9]{1,2}\s+[a-z]{3}[a-z]*\.?,?\s+[0-9]{4}$' then
            {{ _valid_date("(regexp_match(" ~ posted ~ ", '([0-9]{4})$'))[1]",
                           _month_number("(regexp_match(" ~ posted ~ ", '^[0-9]{1,2}\s+([a-z]{3})'))[1]"),
                           "(regexp_match(" ~ posted ~ ", '^([0-9]{1,2})'))[1]") }}
        when {{ posted }} ~ '^((posted|active|employer active)\s+)?([0-9]{1,4})\+?\s+(day|week|month)s?\s+ago$' then
            ({{ scraped }})::date
            - (regexp_match({{ posted }}, '([0-9]{1,4})\+?\s'))[1]::int
              * case (regexp_match({{ posted }}, '(day|week|month)'))[1] when 'day' then 1 when 'week' then 7 else 30 end
        when {{ posted }} ~ '^((posted|active)\s+)?(today|just posted|just now|([0-9]+|an?)\s+(second|minute|hour)s?\s+ago)$'
            then ({{ scraped }})::date
        when {{ posted }} ~ '^((posted|active)\s+)?(yesterday|a day ago)$' then ({{ scraped }})::date - 1
        when {{ posted }} ~ '^((posted|active)\s+)?a week ago$' then ({{ scraped }})::date - 7
        when {{ posted }} ~ '^((posted|active)\s+)?a month ago$' then ({{ scraped }})::date - 30
    end
{%- endmacro %}

{% macro _month_number(abbreviation) -%}
    nullif((strpos('janfebmaraprmayjunjulaugsepoctnovdec', {{ abbreviation }}) + 2) / 3, 0)::text
{%- endmacro %}

{% macro _valid_date(year, month, day) -%}
    {%- set y = "case when length(" ~ year ~ ") = 2 then 2000 + (" ~ year ~ ")::int else (" ~ year ~ ")::int end" -%}
    case when ({{ month }}) ~ '^[0-9]{1,2}$' and ({{ day }}) ~ '^[0-9]{1,2}$' and ({{ year }}) ~ '^[0-9]{2,4}$' then
        case when ({{ month }})::int between 1 and 12 and ({{ day }})::int between 1 and 31 and {{ y }} >= 1 then
            case when extract(month from make_date({{ y }}, ({{ month }})::int, 1) + (({{ day }})::int - 1))
                      = ({{ month }})::int
                 then make_date({{ y }}, ({{ month }})::int, 1) + (({{ day }})::int - 1)
            end
        end
    end
{%- endmacro %}

{% macro checked_post_date(parsed, crawled) -%}
    case when {{ parsed }} <= {{ _latest_post_date(crawled) }} then {{ parsed }} end
{%- endmacro %}

{% macro post_date_issue(parsed, raw, crawled) -%}
    case
        when nullif(btrim({{ raw }}), '') is not null and {{ parsed }} is null then 'post_date_unparseable'
        when {{ parsed }} > {{ _latest_post_date(crawled) }} then 'post_date_after_crawl'
    end
{%- endmacro %}

{% macro _latest_post_date(crawled) -%}
    ((coalesce({{ crawled }}, current_timestamp))::date + {{ var('post_date_grace_days') }})
{%- endmacro %}
