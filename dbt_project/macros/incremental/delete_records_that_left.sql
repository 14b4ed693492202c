{#-
  The one rule for records that leave: a record whose newest delivery failed validation is
  in the quarantine now, and leaves every model downstream of the checks. Every incremental
  model removes such records through these macros, nowhere else:

  records_that_left(since=none): the records (record_key, source, source_record_id) whose
    newest check failed, or only those checked after `since` (a timestamptz expression).
    An index lookup (int_job_records__checked is indexed on quarantine_reason).
  delete_records_that_left(columns=['record_key']): the post-hook of a model keyed by
    `columns` (int_job_records__normalised, int_job_records__blocks: record_key;
    job_listing_records: source and source_record_id): deletes those records' rows.
-#}
{% macro records_that_left(since=none) -%}
    select record_key, source, source_record_id from {{ ref('int_job_records__checked') }}
    where quarantine_reason is not null
    {%- if since is not none %} and checked_at > {{ since }}{% endif %}
{%- endmacro %}

{% macro delete_records_that_left(columns=['record_key']) -%}
    delete from {{ this }}
    where ({{ columns | join(', ') }}) in (select {{ columns | join(', ') }} from ({{ records_that_left() }}) as left_valid)
{%- endmacro %}
