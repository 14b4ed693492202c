{#-
  delete_pairs_of_changed_records(key_column): the pre-hook of int_job_pairs__matched. Before
  an incremental run scores the records blocked since its last run (those normalised since,
  and those holding a shingle key whose commonness changed), it drops their old pairs (their
  values or candidates may have changed) and the pairs of records quarantined since.
  One statement per key column: `key in (...)` alone becomes a hash semi-join, whereas
  `left_key in (...) or right_key in (...)` made Postgres rescan the list for every pair.
-#}
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
