{#- Documented in _normalise__macros.yml. -#}
{% macro normalise_city(expr) -%}
    nullif(regexp_replace(btrim(regexp_replace(lower(coalesce({{ plain_text(expr) }}, '')), '[^[:alnum:]]+', ' ', 'g')),
                          '^greater (.+?)( metro(politan)?)? area$', '\1'), '')
{%- endmacro %}

{% macro state_code_lookup() -%}
    (select lower(code) as state_key, code as state_code from {{ ref('us_states') }}
     union
     select lower(name), code from {{ ref('us_states') }})
{%- endmacro %}

{% macro state_key(expr) -%}
    lower(btrim({{ expr }}))
{%- endmacro %}

{% macro country_code(expr) -%}
    case
        when lower(btrim(coalesce({{ expr }}, ''))) in ('us', 'usa', 'u s', 'u.s.', 'u.s.a.', 'united states',
                                                         'united states of america') then 'US'
        when btrim(coalesce({{ expr }}, '')) = '' then null
        else upper(btrim({{ expr }}))
    end
{%- endmacro %}

{% macro names_remote(expr) -%}
    coalesce({{ expr }} ~* '^\s*remote\M', false)
{%- endmacro %}

{% macro listed_city(expr) -%}
    case when not {{ names_remote(expr) }} then nullif(btrim(split_part({{ expr }}, '|', 1)), '') end
{%- endmacro %}

{% macro listed_cities(expr) -%}
    case when {{ expr }} like '%|%' and not {{ names_remote(expr) }} then {{ expr }} end
{%- endmacro %}
