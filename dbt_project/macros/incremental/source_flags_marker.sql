{#-
  The marts are incremental, but flipping a source flag changes which records they serve
  everywhere at once. Each mart therefore carries, as its table comment, the version of the
  `source_flags` seed it was built with (an md5 of its rows):

  source_flags_version(): the current seed's version.
  source_flags_changed(): in an incremental run, true when {{ this }} was built with other
    flags: the model then recomputes every row, as a full refresh would.
  mark_source_flags_version(): the post-hook that records the version on {{ this }}.
-#}
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
