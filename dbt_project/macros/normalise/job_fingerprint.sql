{#-
  job_fingerprint(title, company, city, state, country): md5 of the normalised title,
  company, city, state code and country code joined with '|'. Two records of the same
  posting, however each source spells it, share a fingerprint; the near-duplicate rules
  (int_job_pairs__matched) catch what normalisation cannot.
  Arguments are already-normalised columns (see normalise_*).
-#}
{% macro job_fingerprint(title, company, city, state, country) -%}
    md5(concat_ws('|', {{ title }}, {{ company }}, coalesce({{ city }}, ''), coalesce({{ state }}, ''),
                  coalesce({{ country }}, '')))
{%- endmacro %}
