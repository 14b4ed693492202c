{#- Documented in _cutover__macros.yml. -#}
{% macro consumer_bucket(expr) -%}
    (('x' || substr(md5({{ expr }}), 1, 8))::bit(32)::bigint % 100)::integer
{%- endmacro %}

{% macro serves_bucket(flags, bucket) -%}
    ({{ flags }}.enabled and case {{ flags }}.rollout_from
        when 'low' then {{ bucket }} < {{ flags }}.rollout_percent
        else {{ bucket }} >= 100 - {{ flags }}.rollout_percent
    end)
{%- endmacro %}
