{#- Documented in _incremental__macros.yml. -#}
{% macro source_flags_version() -%}
    {%- if execute -%}
        {{- run_query("select md5(coalesce(string_agg(f.source || '=' || f.enabled, ',' order by f.source), '')) from "
                      ~ ref('source_flags') ~ " f").columns[0].values()[0] -}}
    {%- endif -%}
{%- endmacro %}

{% macro source_flags_changed() -%}
    {%- if not (execute and is_incremental()) -%}
        {{- return(false) -}}
    {%- endif -%}
    {%- set marker = run_query("select obj_description('" ~ this ~ "'::regclass, 'pg_class')").columns[0].values()[0] -%}
    {{- return(marker != 'source_flags ' ~ source_flags_version()) -}}
{%- endmacro %}

{% macro mark_source_flags_version() -%}
    comment on table {{ this }} is 'source_flags {{ source_flags_version() }}'
{%- endmacro %}
