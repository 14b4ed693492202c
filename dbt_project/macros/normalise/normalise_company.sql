{#- Documented in _normalise__macros.yml. -#}
{% macro normalise_company(expr) -%}
    btrim(regexp_replace(regexp_replace(regexp_replace(
        regexp_replace(replace(regexp_replace(lower(coalesce({{ plain_text(expr) }}, '')), '[''’]', '', 'g'), '&', ' and '),
                       '[^[:alnum:]]+', ' ', 'g'),
        '^\s*the\s+', '', 'g'),
        '(\s+(inc|incorporated|llc|ltd|limited|corp|corporate|corporation|co|company|plc|gmbh|lp|llp))+\s*$', '', 'g'),
        '\s+', ' ', 'g'))
{%- endmacro %}
