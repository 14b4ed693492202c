{#- Documented in _incremental__macros.yml. -#}
{% macro clustered_in_last_run() -%}
    (select * from {{ ref('int_job_records__clustered') }}
     where clustered_at = (select max(clustered_at) from {{ ref('int_job_records__clustered') }}))
{%- endmacro %}
