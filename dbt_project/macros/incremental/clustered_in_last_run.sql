{#-
  clustered_in_last_run(): the rows of int_job_records__clustered that its newest run wrote
  (each run stamps its rows with one clustered_at), as a subquery. A mart's post-hook runs
  after that run, so these are the records whose job may have changed under it: the
  post-hooks that remove rows left behind (delete_jobs_left_without_records,
  delete_matches_no_longer_scored) check only those.
-#}
{% macro clustered_in_last_run() -%}
    (select * from {{ ref('int_job_records__clustered') }}
     where clustered_at = (select max(clustered_at) from {{ ref('int_job_records__clustered') }}))
{%- endmacro %}
