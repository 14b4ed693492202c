{#-
  consumer_bucket(expr): a consumer's A/B bucket, 0-99: the first 32 bits of md5(id) modulo
  100. Deterministic (the same id always lands in the same bucket, on any run or machine) and
  uniform. The only definition: tests and Python read the bucket from marts.consumer_variants.
-#}
{% macro consumer_bucket(expr) -%}
    (('x' || substr(md5({{ expr }}), 1, 8))::bit(32)::bigint % 100)::integer
{%- endmacro %}

{#-
  serves_bucket(flags, bucket): whether the source_flags row `flags` serves a consumer in
  `bucket`: enabled, and the bucket inside the source's rollout range (from the low end or
  the high end of 0-99).
-#}
{% macro serves_bucket(flags, bucket) -%}
    ({{ flags }}.enabled and case {{ flags }}.rollout_from
        when 'low' then {{ bucket }} < {{ flags }}.rollout_percent
        else {{ bucket }} >= 100 - {{ flags }}.rollout_percent
    end)
{%- endmacro %}
