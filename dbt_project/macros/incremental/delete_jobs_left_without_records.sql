{#- Documented in _incremental__macros.yml. -#}
{% macro delete_jobs_left_without_records() -%}
    delete from {{ this }} as listing
    where not exists (select from {{ ref('job_listing_records') }} as r
                      where r.job_listing_id = listing.job_listing_id)
    {% if not source_flags_changed() %}
      and listing.job_listing_id in (
          select previous_job_listing_id from {{ clustered_in_last_run() }} as reclustered
          union all
          select clustered.job_listing_id from {{ ref('int_job_records__clustered') }} as clustered
          join ({{ records_that_left() }}) as left_valid using (record_key)
      )
    {% endif %}
{%- endmacro %}
