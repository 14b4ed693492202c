{#- Documented in _parsing__macros.yml. -#}
{% macro placeholder_values() -%}
    ('na', 'n/a', 'n.a.', 'n a', 'none', 'null', 'nil', 'unspecified', 'not specified', 'undefined',
     'unknown', 'not available', 'not applicable', 'not disclosed', 'confidential', '-', '--', '.', '?')
{%- endmacro %}

{% macro missing_value(expr) -%}
    case when lower(btrim({{ expr }})) not in {{ placeholder_values() }} then nullif(btrim({{ expr }}), '') end
{%- endmacro %}

{% macro placeholder_issue(expr) -%}
    case when lower(btrim({{ expr }})) in {{ placeholder_values() }} then 'placeholder' end
{%- endmacro %}

{% macro field_issues(checks) -%}
    to_jsonb(array_remove(array[
    {%- for field, rule, raw in checks %}
        case when ({{ rule }}) is not null then
            jsonb_build_object('field', '{{ field }}', 'rule', {{ rule }}, 'raw_value', left(({{ raw }})::text, 200))
        end{{ ',' if not loop.last }}
    {%- endfor %}
    ]::jsonb[], null))
{%- endmacro %}

{% macro not_a_boolean_issue(expr) -%}
    case when nullif(btrim({{ expr }}), '') is not null and {{ safe_boolean(expr) }} is null then 'not_a_boolean' end
{%- endmacro %}
