{#-
  legacy_compatible_id(job_listing_id): a job's id in the legacy scraper's shape (a bigint,
  as raw.legacy_scraped_jobs.id): the first 60 bits of job_listing_id, positive, and as
  stable as the job's id. Used by marts.legacy_compatible_jobs and by its test.
-#}
{% macro legacy_compatible_id(job_listing_id) -%}
    ('x' || left({{ job_listing_id }}, 15))::bit(60)::bigint
{%- endmacro %}
