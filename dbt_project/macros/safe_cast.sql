{#- Casts that yield null instead of failing the model on a value of the wrong type
    (schema drift: a field that was a number arrives as text, a boolean as "yes"). -#}
{% macro safe_numeric(expr) -%}
    case when btrim({{ expr }}) ~ '^-?\d+(\.\d+)?$' then btrim({{ expr }})::numeric end
{%- endmacro %}

{% macro safe_boolean(expr) -%}
    case
        when lower(btrim({{ expr }})) in ('true', 't', 'yes', 'y', '1') then true
        when lower(btrim({{ expr }})) in ('false', 'f', 'no', 'n', '0') then false
    end
{%- endmacro %}

{% macro safe_date(expr) -%}
    case when {{ expr }} ~ '^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])' then left({{ expr }}, 10)::date end
{%- endmacro %}
