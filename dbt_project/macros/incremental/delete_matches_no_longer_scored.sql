{#-
  delete_matches_no_longer_scored(key_column): a post-hook of marts.job_listing_matches.
  A pair leaves the mart when int_job_pairs__matched no longer holds it (a record changed
  or left, and the pair was not scored again) or when one of its records is not served
  (quarantined, or its source switched off). Such a pair always has a record that this
  run's clustering re-walked, so only the pairs of those records are checked (an index
  lookup each); after a change of source flags, or on a first build, every pair is.
  One statement per key column, as in delete_pairs_of_changed_records.
-#}
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
