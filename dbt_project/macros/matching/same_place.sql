{#- Documented in _matching__macros.yml. -#}
{% macro same_place(a, b) -%}
    ({{ a }}.is_remote_job or {{ b }}.is_remote_job
     or ((({{ a }}.city_norm is null or {{ b }}.city_norm is null or {{ a }}.city_norm = {{ b }}.city_norm
           or {{ a }}.city_norm like {{ b }}.city_norm || ' %' or {{ b }}.city_norm like {{ a }}.city_norm || ' %'
           or {{ a }}.city_norms && {{ b }}.city_norms)
          and ({{ a }}.state_code is null or {{ b }}.state_code is null or {{ a }}.state_code = {{ b }}.state_code))))
{%- endmacro %}
