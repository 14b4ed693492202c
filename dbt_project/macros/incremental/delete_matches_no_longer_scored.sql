{#- Documented in _incremental__macros.yml. -#}
{% macro delete_matches_no_longer_scored(key_column) -%}
    delete from {{ this }} as shown
    where (not exists (select from {{ ref('int_job_pairs__matched') }} as pairs
                       where pairs.left_key = shown.left_record_key and pairs.right_key = shown.right_record_key)
           or not exists (select from {{ ref('int_job_records__served') }} as served
                          where served.record_key = shown.{{ key_column }}))
    {% if not source_flags_changed() %}
      and shown.{{ key_column }} in (
          select record_key from {{ clustered_in_last_run() }} as reclustered
          union all
          select record_key from ({{ records_that_left() }}) as left_valid)
    {% endif %}
{%- endmacro %}
