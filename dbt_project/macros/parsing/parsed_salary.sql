{#- Documented in _parsing__macros.yml. -#}
{% macro parsed_salary(text, given_min='null', given_max='null', given_currency='null', given_period='null') -%}
(
    select
        -- cents, as the served text writes them (salary_text reads back to the same value)
        case when checked.issue is null then trim_scale(round(checked.low, 2)) end as salary_min,
        case when checked.issue is null then trim_scale(round(checked.high, 2)) end as salary_max,
        case when checked.issue is null and checked.low is not null then
            coalesce(checked.currency_given,
                     case when checked.text ~ '(\$|USD)' then 'USD'
                          when checked.text ~ '(€|EUR)' then 'EUR'
                          when checked.text ~ '(£|GBP)' then 'GBP' end)
        end                                                                as salary_currency,
        case when checked.issue is null and checked.low is not null then
            coalesce({{ salary_period_word('checked.period_given') }},
                     {{ salary_period_word('checked.text') }},
                     case when checked.low >= 1000 then 'yearly' when checked.low < 200 then 'hourly' end)
        end                                                                as salary_period,
        checked.issue                                                      as salary_issue
    from (
        select
            amounts.*,
            case
                when amounts.malformed then 'salary_malformed_number'
                when amounts.too_long then 'salary_out_of_range'
                when amounts.low is null then null
                when amounts.high > 10000000 then 'salary_out_of_range'
                when amounts.low <= 1 then 'salary_placeholder'
                when amounts.high < amounts.low then 'salary_range_inverted'
            end as issue
        from (
            select
                numbers.text,
                numbers.currency_given,
                numbers.period_given,
                numbers.given_low is null and numbers.malformed as malformed,
                numbers.given_low is null and numbers.too_long as too_long,
                case when numbers.given_low is not null then numbers.given_low
                     when not numbers.malformed and not numbers.too_long then numbers.amounts[1] end as low,
                case when numbers.given_low is not null then coalesce(numbers.given_high, numbers.given_low)
                     when not numbers.malformed and not numbers.too_long
                         then coalesce(numbers.amounts[2], numbers.amounts[1]) end as high
            from (
                select
                    runs.*,
                    {{ safe_numeric(given_min) }} as given_low,
                    {{ safe_numeric(given_max) }} as given_high,
                    upper(nullif(btrim({{ given_currency }}), '')) as currency_given,
                    {{ given_period }} as period_given,
                    coalesce(runs.run_texts, '{}') <> '{}' and exists (
                        select from unnest(runs.run_texts) as run
                        where run !~ '^([0-9]{1,3}(,[0-9]{3})+|[0-9]+)(\.[0-9]+)?$') as malformed,
                    exists (select from unnest(runs.run_texts) as run where length(run) > 15) as too_long,
                    (select array_agg(replace(run, ',', '')::numeric * case when k then 1000 else 1 end order by ord)
                     from unnest(runs.run_texts, runs.thousands) with ordinality as r(run, k, ord)
                     where run ~ '^([0-9]{1,3}(,[0-9]{3})+|[0-9]+)(\.[0-9]+)?$' and length(run) <= 15) as amounts
                from (
                    -- runs of digits, commas and points (a number as written, well formed or not),
                    -- each with whether a "k" follows it
                    -- (one regex pass; a text without a digit skips it)
                    select
                        source_text.text,
                        found.run_texts,
                        found.thousands
                    from (select coalesce({{ text }}, '') as text) as source_text
                    left join lateral (
                        select array_agg(m[1] order by ord) as run_texts,
                               array_agg(m[2] is not null order by ord) as thousands
                        from regexp_matches(source_text.text, '([0-9][0-9.,]*[0-9]|[0-9])(\s*[kK]\M)?', 'g')
                             with ordinality as t(m, ord)
                    ) as found on source_text.text ~ '[0-9]'
                ) as runs
            ) as numbers
        ) as amounts
    ) as checked
)
{%- endmacro %}

{% macro salary_period_word(expr) -%}
    case
        when {{ expr }} ~* '(hour|hr\M|/h\M)' then 'hourly'
        when {{ expr }} ~* '(\mday|daily)' then 'daily'
        when {{ expr }} ~* '\mweek' then 'weekly'
        when {{ expr }} ~* '\mmonth' then 'monthly'
        when {{ expr }} ~* '(year|annum|annual|/yr|\myr\M)' then 'yearly'
    end
{%- endmacro %}

{% macro salary_text(relation) -%}
    {%- set symbol = "case " ~ relation ~ ".salary_currency when 'EUR' then '€' when 'GBP' then '£' else '$' end" -%}
    case when {{ relation }}.salary_min is not null then
        {{ symbol }} || trim_scale(round({{ relation }}.salary_min, 2))::text
        || case when {{ relation }}.salary_max > {{ relation }}.salary_min
                then ' - ' || {{ symbol }} || trim_scale(round({{ relation }}.salary_max, 2))::text else '' end
        || case {{ relation }}.salary_period when 'hourly' then ' an hour' when 'daily' then ' a day'
                when 'weekly' then ' a week' when 'monthly' then ' a month' when 'yearly' then ' a year' else '' end
    end
{%- endmacro %}

{% macro annual_salary(amount, period) -%}
    ({{ amount }} * case {{ period }} when 'hourly' then 2080 when 'daily' then 260 when 'weekly' then 52
                                      when 'monthly' then 12 else 1 end)
{%- endmacro %}
