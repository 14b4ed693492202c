{#-
  same_place(a, b): whether two normalised records (table aliases) are in one place, the
  location rule of a job's identity. Different cities are different listings (a
  multi-location requisition posts one per city), so: the cities agree where both name one
  ("tampa" and "tampa fl" agree: one side wrote the state into the city), the states agree
  where both name one, a multi-city record is in each of its cities (city_norms overlap),
  and a remote job (is_remote_job) is in every place.
  Used by the pair rule (int_job_pairs__matched) and by the cluster check
  (int_job_records__clustered), so a record is held to the same rule against a job as
  against one of its records.
-#}
{% macro same_place(a, b) -%}
    ({{ a }}.is_remote_job or {{ b }}.is_remote_job
     or ((({{ a }}.city_norm is null or {{ b }}.city_norm is null or {{ a }}.city_norm = {{ b }}.city_norm
           or {{ a }}.city_norm like {{ b }}.city_norm || ' %' or {{ b }}.city_norm like {{ a }}.city_norm || ' %'
           or {{ a }}.city_norms && {{ b }}.city_norms)
          and ({{ a }}.state_code is null or {{ b }}.state_code is null or {{ a }}.state_code = {{ b }}.state_code))))
{%- endmacro %}
