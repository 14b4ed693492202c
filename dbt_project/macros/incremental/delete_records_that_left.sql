{#- Documented in _incremental__macros.yml. -#}
{% macro records_that_left(since=none) -%}
    select record_key, source, source_record_id from {{ ref('int_job_records__checked') }}
    where quarantine_reason is not null
    {%- if since is not none %} and checked_at > {{ since }}{% endif %}
{%- endmacro %}

{% macro delete_records_that_left(columns=['record_key']) -%}
    delete from {{ this }}
    where ({{ columns | join(', ') }}) in (select {{ columns | join(', ') }} from ({{ records_that_left() }}) as left_valid)
{%- endmacro %}
