{#- Documented in _parsing__macros.yml. -#}
{% macro safe_numeric(expr) -%}
    case when btrim({{ expr }}) ~ '^-?[0-9]{1,30}(\.[0-9]{1,30})?$' then btrim({{ expr }})::numeric end
{%- endmacro %}

{% macro safe_boolean(expr) -%}
    case
        when lower(btrim({{ expr }})) in ('true', 't', 'yes', 'y', '1') then true
        when lower(btrim({{ expr }})) in ('false', 'f', 'no', 'n', '0') then false
    end
{%- endmacro %}
