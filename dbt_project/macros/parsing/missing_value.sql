{#-
  Placeholders: the strings sources write for "no value" ("Unspecified", "NA", "na",
  "Not specified", "Undefined", "N/A", "-", ...). A placeholder is a missing value, never an
  identity: two ads "by" Unspecified share nothing. One list, read by every staging model.

  missing_value(expr): the trimmed text, or null when it is empty or a placeholder.
  placeholder_issue(expr): 'placeholder' when the text was a placeholder (not merely empty),
    for the field-issues record.
-#}
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

{#-
  field_issues(checks): the record's field issues as a jsonb array, one object per check
  whose rule is not null: {"field", "rule", "raw_value" (the source's text, at most 200
  characters)}. `checks` is a list of (field name, rule expression, raw value expression).
  marts.job_record_field_issues lists them per record; the run summary counts them per rule.
-#}
{% macro field_issues(checks) -%}
    to_jsonb(array_remove(array[
    {%- for field, rule, raw in checks %}
        case when ({{ rule }}) is not null then
            jsonb_build_object('field', '{{ field }}', 'rule', {{ rule }}, 'raw_value', left(({{ raw }})::text, 200))
        end{{ ',' if not loop.last }}
    {%- endfor %}
    ]::jsonb[], null))
{%- endmacro %}

{#- not_a_boolean_issue(expr): 'not_a_boolean' when a present value reads as neither true nor false. -#}
{% macro not_a_boolean_issue(expr) -%}
    case when nullif(btrim({{ expr }}), '') is not null and {{ safe_boolean(expr) }} is null then 'not_a_boolean' end
{%- endmacro %}
