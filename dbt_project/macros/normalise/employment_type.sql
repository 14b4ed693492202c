{#- Documented in _normalise__macros.yml. -#}
{% macro employment_type(job_type, title) -%}
    {%- set given = _employment_words(job_type) -%}
    {%- set titled = _employment_words(title) -%}
    coalesce(({{ titled }}), ({{ given }}))
{%- endmacro %}

{% macro _employment_words(expr) -%}
    case
        when {{ expr }} ~* '\m(intern|co-?op\M)' then 'internship'
        when {{ expr }} ~* '\mpart[^a-z]?time\M' then 'part_time'
        when {{ expr }} ~* '\m(contract|contractor|temporary|temp|freelance|seasonal)\M' then 'contract'
        when {{ expr }} ~* '\m(full[^a-z]?time|permanent)\M' then 'full_time'
    end
{%- endmacro %}
