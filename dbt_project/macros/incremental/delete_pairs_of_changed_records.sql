{#- Documented in _incremental__macros.yml. -#}
{% macro delete_pairs_of_changed_records(key_column) -%}
    with since as (select max(matched_at) as at from {{ this }})
    delete from {{ this }}
    where {{ key_column }} in (
        select record_key from {{ ref('int_job_records__blocks') }}
        where blocked_at > (select at from since)
        union all
        select record_key from ({{ records_that_left(since='(select at from since)') }}) as left_valid
    )
{%- endmacro %}
