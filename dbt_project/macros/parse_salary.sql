{#-
  Salary text -> numbers, for sources that did not parse it.

  Handles "$110,000 - $150,000 a year", "$120k-$140k", "$25 - $40 an hour",
  "1.0 - 1000000.0 USD /YEAR", "$150,000 a year"; "Competitive", "DOE", "0 - 0 /" -> nulls.
  salary_amounts(expr) yields the numbers found (k = thousand); salary_min / salary_max pick
  the first and the last; salary_period reads hour/day/week/month/year (default: year when
  the amount is over 1000, hour when under 200); salary_currency reads $ / USD / EUR / GBP.
  Placeholder ranges (a minimum of 0 or 1) are treated as no salary.
-#}
{% macro salary_amounts(expr) -%}
    (select array_agg(
         replace(m[1], ',', '')::numeric * case when lower(coalesce(m[2], '')) = 'k' then 1000 else 1 end
         order by ord)
     from regexp_matches(coalesce({{ expr }}, ''), '(\d[\d,]*(?:\.\d+)?)\s*([kK])?', 'g')
          with ordinality as t(m, ord))
{%- endmacro %}

{% macro salary_min(expr) -%}
    (select case when a[1] > 1 then a[1] end from (select {{ salary_amounts(expr) }} as a) s)
{%- endmacro %}

{% macro salary_max(expr) -%}
    (select case when a[1] > 1 then a[array_length(a, 1)] end from (select {{ salary_amounts(expr) }} as a) s)
{%- endmacro %}

{% macro salary_period(expr) -%}
    case
        when {{ expr }} ~* '(hour|hr\M|/h\M)' then 'hourly'
        when {{ expr }} ~* '\mday' then 'daily'
        when {{ expr }} ~* '\mweek' then 'weekly'
        when {{ expr }} ~* '\mmonth' then 'monthly'
        when {{ expr }} ~* '(year|annum|annual|/yr|\myr\M)' then 'yearly'
        when {{ salary_min(expr) }} >= 1000 then 'yearly'
        when {{ salary_min(expr) }} < 200 then 'hourly'
    end
{%- endmacro %}

{% macro salary_currency(expr) -%}
    case
        when {{ salary_min(expr) }} is null then null
        when {{ expr }} ~ '(\$|USD)' then 'USD'
        when {{ expr }} ~ '(€|EUR)' then 'EUR'
        when {{ expr }} ~ '(£|GBP)' then 'GBP'
    end
{%- endmacro %}

{#-
  salary_text(relation): the other way round, for serving the scraper's shape: the salary
  columns of `relation` (salary_min, salary_max, salary_currency, salary_period) as the text
  a board shows, "$120000 - $150000 a year", "$40 - $55.5 an hour", which the macros above
  read back to the same numbers; null when there is no salary.
-#}
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
